import { PENTIUM_PARAMETERS } from '../../machine/pentiumParameters';
import { registerSimWorkload } from '../simWorkloads';
import { shortIpcPingPong } from './ipcSuite';

/**
 * The simulator's own benchmark (issue 10): the L4 short-IPC ping-pong of suite `ipc`, in large
 * and small spaces. One operation is a one-way IPC; the window is the measured loop (after boot
 * and warm-up).
 */
for (const small of [false, true]) {
  registerSimWorkload({
    id: small ? 'l4.ipc.small' : 'l4.ipc.large',
    title: `L4 short IPC ping-pong (${small ? 'small' : 'large'} spaces)`,
    clockMHz: PENTIUM_PARAMETERS.clockMHz.value,
    run(scale, probe) {
      const rounds = Math.max(1, Math.round(20000 * scale));
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
