import { PENTIUM_PARAMETERS } from '../../machine/pentiumParameters';
import { registerSimWorkload } from '../simWorkloads';
import { shortIpcPingPong } from './ipcSuite';

/**
 * The simulator's own benchmark (issue 10): the L4 short-IPC ping-pong of suite `ipc`, in large
 * and small spaces. One operation is a one-way IPC; the window is the measured loop (after boot
 * and warm-up). 100,000 round trips make a window of 0.18 s (small spaces) to 0.36 s (large)
 * simulated: with the 20,000 of before (36 ms) each run's re-compilation of its fresh guest
 * closures and a GC pause fell inside the window, so the wall-clock figure varied by ±30% from
 * run to run and the CPU-time figure sat far below it (V8's compiler threads working beside
 * the window); from about 0.15 s on both agree, which is the steady speed a longer experiment
 * sees.
 */
for (const small of [false, true]) {
  registerSimWorkload({
    id: small ? 'l4.ipc.small' : 'l4.ipc.large',
    title: `L4 short IPC ping-pong (${small ? 'small' : 'large'} spaces)`,
    clockMHz: PENTIUM_PARAMETERS.clockMHz.value,
    run(scale, probe) {
      const rounds = Math.max(1, Math.round(100000 * scale));
      const m = shortIpcPingPong(small, rounds, {}, probe);
      return {
        simulatedCycles: m.end - m.start,
        operations: m.operations,
        operationName: 'one-way IPCs',
        fingerprint: JSON.stringify(m.endBreakdown),
      };
    },
  });
}
