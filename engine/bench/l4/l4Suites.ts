/** The bare-L4 benchmark parts: suite `ipc`, rows (2)-(4) of suite `pipe`, suite `vm`. */
import './ipcSuite';
import './pipeSuite';
import './vmSuite';
import './cachePartitioning';
