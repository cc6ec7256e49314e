import type { ResultRecord } from '../records';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { RECEIVE_SHORT, SEND_SHORT, TIMEOUT_NEVER, type L4Api } from '../../l4/guestApi';
import { SmallSpaces } from '../../l4/smallSpaces';
import type { HostWindowProbe } from '../simWorkloads';
import { breakdownPerOperation, cyclesPerOperation, L4BenchSystem, type Measurement } from './l4System';

/**
 * User images of the two ping-pong tasks: the binding code (inside a text page, not at its
 * start: offset 0 of every page would share I-cache set 0 with the kernel's trap entry by
 * construction) and a stack page above it, faulted in from sigma0.
 */
const CLIENT_CODE = 0x00c00500;
const SERVER_CODE = 0x00c10900;

/**
 * One-way short IPC between two tasks (HotOS'97: 121 cycles between small spaces on the
 * Pentium): a client calls, a server replies and waits, N round trips after a warm-up; one way
 * = round trip / 2. Like the L4 pingpong's inner loops (L4ENV pkg/pingpong worker_inc.h,
 * WHATTODO_SHORT_PING/PONG), both sides keep the partner's id in registers and set up the IPC
 * in line (the raw `ipc`), so no C binding is measured.
 */
export function measureShortIpc(small: boolean, options: SuiteOptions): ResultRecord {
  const rounds = options.mode === 'full' ? 20000 : 2000;
  const m = shortIpcPingPong(small, rounds, options);
  return {
    suite: 'ipc',
    system: 'l4',
    benchmark: small ? 'ipc.short.small' : 'ipc.short.large',
    unit: 'cycles',
    value: Math.round(cyclesPerOperation(m) * 10) / 10,
    paper: null,
    breakdown: breakdownPerOperation(m),
    iterations: rounds,
  };
}

/** The ping-pong itself: `rounds` calls (2 one-way IPCs each) measured after a warm-up. */
export function shortIpcPingPong(small: boolean, rounds: number, setup: Pick<SuiteOptions, 'machine' | 'kernels'>, probe?: HostWindowProbe): Measurement {
  const system = new L4BenchSystem(setup.machine, { smallSpaces: small, parameters: setup.kernels?.l4 });
  system.probe = probe ?? null;
  const warmup = 100;
  const slot = (index: number) => (small ? SmallSpaces.encode(index, 2) : undefined); // 16 MB slots
  const server = system.task(
    5,
    function* (l4: L4Api) {
      yield* l4.userImage(SERVER_CODE, SERVER_CODE + 0x2000);
      let request = yield* l4.ipcWait();
      const client = { low: request.sourceLow, high: request.sourceHigh };
      for (;;) request = yield* l4.ipc(SEND_SHORT, client, request.w0, 0, RECEIVE_SHORT | 1, TIMEOUT_NEVER);
    },
    { small: slot(1) },
  );
  system.task(
    6,
    function* (l4: L4Api) {
      yield* l4.userImage(CLIENT_CODE, CLIENT_CODE + 0x2000);
      for (let i = 0; i < warmup; i++) yield* l4.ipc(SEND_SHORT, server, i, 0, RECEIVE_SHORT, TIMEOUT_NEVER);
      system.begin();
      for (let i = 0; i < rounds; i++) yield* l4.ipc(SEND_SHORT, server, i, 0, RECEIVE_SHORT, TIMEOUT_NEVER);
      system.end(2 * rounds);
    },
    { small: slot(2) },
  );
  return system.run();
}

registerSuitePart({
  suite: 'ipc',
  title: 'L4 short IPC, one way (HotOS\'97: 121 cycles between small spaces)',
  systems: ['l4'],
  run(_system, options) {
    options.progress?.(0, 'large spaces');
    const large = measureShortIpc(false, options);
    options.progress?.(0.5, 'small spaces');
    const small = measureShortIpc(true, options);
    return [large, small];
  },
});
