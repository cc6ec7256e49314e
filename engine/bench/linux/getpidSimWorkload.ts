import { PENTIUM_PARAMETERS } from '../../machine/pentiumParameters';
import { bootableLinuxSystems } from '../../linux/systems';
import { registerSimWorkload } from '../simWorkloads';
import { runGuest } from './linuxHarness';

/**
 * The simulator's own benchmark (issue 10): lmbench's getpid loop (suite `getpid`) on every
 * bootable Linux system. One operation is a system call; the window runs from the program's
 * start mark to its stop mark (boot and warm-up excluded).
 */
for (const system of bootableLinuxSystems()) {
  registerSimWorkload({
    id: `${system}.getpid`,
    title: `getpid loop on ${system}`,
    clockMHz: PENTIUM_PARAMETERS.clockMHz.value,
    run(scale, probe) {
      const calls = Math.max(1, Math.round(100_000 * scale));
      const run = runGuest(system, `lat_syscall getpid ${calls} 1000`, { seed: 1 }, {}, 600, (label) => {
        if (label === 'start') probe?.begin();
        else if (label === 'stop') probe?.end();
      });
      const start = run.marks.get('start');
      const stop = run.marks.get('stop');
      if (start === undefined || stop === undefined) throw new Error(`getpid on ${system}: no start/stop marks`);
      return {
        simulatedCycles: stop.cycles - start.cycles,
        operations: calls,
        operationName: 'system calls',
        fingerprint: `${start.cycles}:${Array.from(stop.categories).join(',')}`,
      };
    },
  });
}
