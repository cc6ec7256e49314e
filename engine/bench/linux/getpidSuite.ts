import { paperValue } from '../reference';
import { registerSuitePart } from '../suiteRegistry';
import { linuxSuiteSystems, between, phasesBetween, round, runGuest } from './linuxHarness';

/**
 * Suite `getpid` on native Linux (SOSP'97 Table 2): getpid in a tight loop (lmbench's
 * lat_syscall). The breakdown keeps the hardware kernel entry/exit (int 0x80 + iret,
 * category kernelEntry) apart from the entry.S and sys_getpid instructions (kernel) and the
 * C library stub and loop (user).
 */
registerSuitePart({
  suite: 'getpid',
  title: 'getpid system call (Table 2)',
  systems: linuxSuiteSystems(),
  run(system, options) {
    const n = options.mode === 'full' ? 100_000 : 10_000;
    const run = runGuest(system, `lat_syscall getpid ${n} 1000`, options);
    const { cycles, breakdown } = between(run, 'start', 'stop', n);
    // L4Linux's gates split the path into the rows of SOSP'97 Figure 5
    const phases = phasesBetween(run, 'start', 'stop', n);
    return [
      { suite: 'getpid', system, benchmark: 'getpid.cycles', unit: 'cycles', value: round(cycles, 1), paper: paperValue(system, 'getpid.cycles'), breakdown, ...(phases ? { phases } : {}), iterations: n },
      { suite: 'getpid', system, benchmark: 'getpid.time', unit: 'us', value: round(cycles / run.clockMHz, 3), paper: paperValue(system, 'getpid.time'), breakdown, iterations: n },
    ];
  },
});
