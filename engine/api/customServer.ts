/**
 * Custom servers (DESIGN.md §7): a user's module with a `server` and a `client` thread body, run
 * as two tasks on a freshly booted bare L4 (with sigma0 as their pager), the client measuring
 * the server. The extension's "Run/Benchmark Custom Server" and `l4lab run FILE` use this.
 */
import { fpage, messageDope, MESSAGE_BUFFER, receiveWindow, SEND_SHORT_MAP, sendBuffer, stringDopeOffset, UNMAP_FLUSH, type L4Api, type ThreadId } from '../l4/guestApi';
import { SmallSpaces } from '../l4/smallSpaces';
import type { Activity } from '../machine/executionContext';
import type { PentiumOverrides } from '../machine/pentiumParameters';
import type { L4Overrides } from '../l4/l4Parameters';
import { breakdownPerOperation, cyclesPerOperation, L4BenchSystem } from '../bench/l4/l4System';
import type { ResultRecord } from '../bench/records';

/** What the client thread gets besides its L4 API: the measurement probes and a console. */
export interface CustomServerLab {
  /** Iterations to measure: 1000 in quick mode, 10000 in full mode. */
  readonly rounds: number;
  /** Opens the measured region (costs no simulated time). */
  begin(): void;
  /** Closes it after `operations` operations that moved `bytes` bytes in all (for bandwidth). */
  end(operations: number, bytes?: number): void;
  /** Prints a line to the custom server's console. */
  log(...values: unknown[]): void;
  /** Encodings of the L4/x86 v2 ABI (custom servers cannot import modules). */
  readonly abi: typeof ABI;
}

/** The ABI helpers a custom server gets as `lab.abi`. */
const ABI = { fpage, receiveWindow, sendBuffer, messageDope, stringDopeOffset, MESSAGE_BUFFER, SEND_SHORT_MAP, UNMAP_FLUSH } as const;

/** A custom server module: the exports of the user's file. */
export interface CustomServerModule {
  server(l4: L4Api, lab: CustomServerLab): Activity;
  client(l4: L4Api, server: ThreadId, lab: CustomServerLab): Activity;
}

export interface CustomServerOptions {
  /** `run` prints the measurement; `benchmark` also returns it as result records. */
  readonly action: 'run' | 'benchmark';
  /** The user's file (names the records). */
  readonly fileName: string;
  /** Console output of the guest. */
  readonly console: (text: string) => void;
  readonly machine?: PentiumOverrides;
  /** What-if overrides of the L4 cost table. */
  readonly l4?: L4Overrides;
  readonly mode?: 'quick' | 'full';
  /** Put both tasks into L4 small address spaces. */
  readonly smallSpaces?: boolean;
}

const SERVER_TASK = 5;
const CLIENT_TASK = 6;
/** User images of the two tasks (binding code and stack pages, faulted in from sigma0), as the ipc suite has them. */
const SERVER_CODE = 0x00c10000;
const CLIENT_CODE = 0x00c00000;

function isModule(value: Record<string, unknown>): value is Record<string, unknown> & CustomServerModule {
  return typeof value.server === 'function' && typeof value.client === 'function';
}

/**
 * Runs a custom server and its client on the simulated L4 until the client closes its
 * measurement; guest exceptions propagate with their own stack.
 * @throws TypeError when the module lacks `server` or `client`; Error when the client never calls `end()`.
 */
export function runCustomServer(module: Record<string, unknown>, options: CustomServerOptions): { results: ResultRecord[] } {
  if (!isModule(module)) throw new TypeError(`${options.fileName} must export generator functions server(l4) and client(l4, server, lab)`);
  const system = new L4BenchSystem(options.machine, { smallSpaces: options.smallSpaces === true, parameters: options.l4 });
  const slot = (index: number) => (options.smallSpaces ? SmallSpaces.encode(index, 2) : undefined);
  const format = (values: unknown[]) => values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(' ');
  let bytes = 0;
  const lab: CustomServerLab = {
    rounds: options.mode === 'full' ? 10000 : 1000,
    begin: () => system.begin(),
    end: (operations, moved = 0) => {
      bytes = moved;
      system.end(operations);
    },
    log: (...values) => options.console(`${format(values)}\n`),
    abi: ABI,
  };
  // A guest exception kills its task (the kernel reflects it like a fault without a handler);
  // keep the first one, with its stack into the user's file, to report it instead of a timeout.
  let failure: unknown;
  function* guarded(body: Activity): Activity {
    try {
      yield* body;
    } catch (error) {
      failure ??= error;
      throw error;
    }
  }
  const server = system.task(
    SERVER_TASK,
    function* (l4: L4Api) {
      yield* l4.userImage(SERVER_CODE, SERVER_CODE + 0x2000);
      yield* guarded(module.server(l4, lab));
    },
    { small: slot(1) },
  );
  system.task(
    CLIENT_TASK,
    function* (l4: L4Api) {
      yield* l4.userImage(CLIENT_CODE, CLIENT_CODE + 0x2000);
      yield* guarded(module.client(l4, server, lab));
    },
    { small: slot(2) },
  );
  let measurement: ReturnType<L4BenchSystem['run']>;
  try {
    measurement = system.run();
  } catch (error) {
    throw failure ?? error;
  }
  if (failure !== undefined) throw failure;
  // the client finished, but a thread may have died on the way (a fault its pager could not
  // resolve, an exception of a thread with a handler): say so beside the figures
  for (const report of system.kernel.reports) options.console(`[L4 kernel] ${report}\n`);
  const cycles = cyclesPerOperation(measurement);
  const clockMHz = system.machine.parameters.clockMHz;
  const name = options.fileName.replace(/^.*[\\/]/, '').replace(/\.[cm]?ts$/, '');
  const base = { suite: 'custom', system: 'l4' as const, paper: null, breakdown: breakdownPerOperation(measurement), iterations: measurement.operations };
  const results: ResultRecord[] = [
    { ...base, benchmark: `${name}.latency`, unit: 'cycles', value: Math.round(cycles * 10) / 10 },
    { ...base, benchmark: `${name}.latency`, unit: 'us', value: Math.round((cycles / clockMHz) * 1000) / 1000 },
  ];
  if (bytes > 0) {
    const seconds = (measurement.end - measurement.start) / (clockMHz * 1e6);
    results.push({ ...base, benchmark: `${name}.bandwidth`, unit: 'MB/s', value: Math.round((bytes / (1 << 20) / seconds) * 10) / 10 });
  }
  for (const record of results) options.console(`${record.benchmark}: ${record.value} ${record.unit}\n`);
  return { results: options.action === 'benchmark' ? results : [] };
}
