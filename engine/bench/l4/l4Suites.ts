/** The bare-L4 benchmark parts: suite `ipc` and rows (2)-(4) of suite `pipe`. */
import './ipcSuite';
import './pipeSuite';
