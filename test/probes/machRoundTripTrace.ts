import { bootLinuxSystem } from '../../engine/linux/systems';
import type { MkLinux } from '../../engine/linux/mach/mklinux';
import type { ServerLock } from '../../engine/linux/mach/serverLock';
import type { CodePath } from '../../engine/machine/cpu';
import type { Activity } from '../../engine/machine/executionContext';
import type { Thread } from '../../engine/mach/thread';

/** One event of the trace: a code path run, a thread switch, a system call, a lock or scheduler step. */
export interface TraceEvent {
  /** Cycle at which it started. */
  readonly at: number;
  /** 'path' (a kernel or server code path), 'switch', 'syscall', 'return', 'lock', 'sched'. */
  readonly kind: string;
  readonly what: string;
  /** Cycles spent inside it (a synchronous step: its path cycles and the misses it caused), else 0. */
  readonly cycles: number;
  /** The Mach thread running when it happened. */
  readonly thread: string;
}

/** What a measured lat_pipe run did, per round trip (bw_pipe: per 64 KB block). */
export interface RoundTripTrace {
  readonly system: string;
  readonly rounds: number;
  readonly cyclesPerRound: number;
  /** Per round trip: count and cycles of every event kind/name. */
  readonly totals: ReadonlyArray<{ readonly key: string; readonly perRound: number; readonly cyclesPerRound: number }>;
  /** The events of two consecutive round trips from the middle of the measured part. */
  readonly sample: readonly TraceEvent[];
}

type Generator0 = (...args: never[]) => Activity;

/**
 * A test-only diagnostic (never part of the engine): runs `lat_pipe rounds` (or `rounds` 64 KB
 * blocks of bw_pipe) on a MkLinux system
 * and records every code path the CPU runs (Cpu.execute), every Mach thread switch
 * (MachScheduler.switchTo), every AST preemption, depression and abort, every system call the
 * server serves and every sleep, yield, park and unpark of the master lock, by shadowing those
 * methods with own properties of the instances: the simulator's code is unchanged and runs at
 * full speed without the probe, and the wrappers only read the clock, so simulated time is the
 * same with it.
 */
export function machRoundTripTrace(system: string, rounds = 200, program: 'lat_pipe' | 'bw_pipe' = 'lat_pipe'): RoundTripTrace {
  // bw_pipe: `rounds` blocks of 64 KB
  const command = program === 'lat_pipe' ? `lat_pipe ${rounds} 100` : `bw_pipe ${rounds * 65536} 65536`;
  const booted = bootLinuxSystem(system, { seed: 1, initArgs: ['sh', '-c', command] });
  const machine = booted.machine;
  const mk = booted.substrate as unknown as MkLinux;
  const mach = mk.mach;
  const scheduler = mach.scheduler;
  const events: TraceEvent[] = [];
  let active = false;
  const now = () => machine.scheduler.now;
  const running = () => scheduler.current?.name ?? '-';
  const note = (kind: string, what: string, at: number, cycles = 0) => {
    if (active) events.push({ at, kind, what, cycles, thread: running() });
  };

  const cpu = machine.cpu;
  const execute = cpu.execute.bind(cpu);
  cpu.execute = (path: CodePath) => {
    const at = now();
    execute(path);
    note('path', path.name, at, now() - at);
  };
  const code = (mk.kernel as unknown as { code: { run(name: string, count?: number): void } }).code;
  const run = code.run.bind(code);
  code.run = (name: string, count = 1) => {
    const at = now();
    run(name, count);
    if (count > 0) note('path', `linux.${name}`, at, now() - at);
  };
  const switchTo = scheduler.switchTo.bind(scheduler);
  scheduler.switchTo = (next: Thread) => {
    const at = now();
    const from = running();
    switchTo(next);
    note('switch', `${from} -> ${next.name}${next === scheduler.idle ? ' (idle)' : ''}`, at, now() - at);
  };
  const wrapGenerator = <T extends object>(target: T, name: string, kind: string, label: (args: unknown[]) => string) => {
    const own = target as unknown as Record<string, Generator0>;
    const original = own[name].bind(target) as (...args: unknown[]) => Activity;
    own[name] = function* (...args: unknown[]) {
      const at = now();
      note(kind, `${name} ${label(args)}`.trim(), at);
      const result = yield* original(...args);
      note(kind, `${name} end ${label(args)}`.trim(), now());
      return result;
    } as unknown as Generator0;
  };
  wrapGenerator(mk, 'serveSystemCall', 'syscall', (args) => {
    const process = args[0] as { task: { pid: number } };
    return `pid ${process.task.pid} nr ${args[1] as number}`;
  });
  const lock = (mk as unknown as { lock: ServerLock }).lock;
  const actorName = (actor: unknown) => (actor as { thread: Thread }).thread.name;
  for (const name of ['sleep', 'yieldLock'] as const) wrapGenerator(lock, name, 'lock', (args) => actorName(args[0]));
  const parking = (lock as unknown as { parking: object }).parking;
  wrapGenerator(parking, 'park', 'lock', (args) => actorName(args[0]));
  wrapGenerator(parking, 'unpark', 'lock', (args) => `${actorName(args[0])} wakes ${actorName(args[1])}`);
  wrapGenerator(mach, 'depressIdle', 'sched', (args) => (args[0] as Thread).name);
  wrapGenerator(mach, 'depressYield', 'sched', (args) => (args[0] as Thread).name);
  wrapGenerator(scheduler, 'checkAst', 'sched', (args) => (scheduler.astPending ? `pending for ${(args[0] as Thread).name}` : ''));

  let start = 0;
  let stop = 0;
  booted.runtime.onMark = (label) => {
    if (label === 'start') {
      start = now();
      active = true;
    } else if (label === 'stop') {
      active = false;
      stop = now();
    }
  };
  const outcome = booted.run(600 * machine.parameters.clockMHz * 1e6);
  if (outcome !== 'halted' || booted.exitStatus !== 0) throw new Error(`${program} on ${system}: ${outcome}, status ${booted.exitStatus}`);

  const totals = new Map<string, { count: number; cycles: number }>();
  for (const event of events) {
    // an AST check that found nothing pending is not an event
    if (event.kind === 'sched' && event.what === 'checkAst') continue;
    if (event.what.startsWith('checkAst end')) continue;
    const key = `${event.kind} ${event.kind === 'switch' || event.kind === 'path' ? event.what : event.what.replace(/ pid \d+| \S+ wakes \S+| linux\.\S+| mach\.\S+/g, '')}`;
    const entry = totals.get(key) ?? { count: 0, cycles: 0 };
    entry.count++;
    entry.cycles += event.cycles;
    totals.set(key, entry);
  }
  const syscalls = events.filter((event) => event.kind === 'syscall' && !event.what.includes(' end '));
  const first = Math.floor(syscalls.length / 2 / 4) * 4;
  const from = syscalls[first]?.at ?? start;
  const to = syscalls[first + 8]?.at ?? stop;
  return {
    system,
    rounds,
    cyclesPerRound: (stop - start) / rounds,
    totals: [...totals].map(([key, entry]) => ({ key, perRound: entry.count / rounds, cyclesPerRound: entry.cycles / rounds })).sort((a, b) => b.cyclesPerRound - a.cyclesPerRound),
    sample: events.filter((event) => event.at >= from && event.at < to && !(event.kind === 'sched' && event.what === 'checkAst') && !event.what.startsWith('checkAst end')),
  };
}
