import { ACCESS_READ } from '../machine/cpu';
import { bareMetalFreeBase, bareMetalMachine } from './bareMetal';

/**
 * Fixed workloads for measuring the simulator itself (issue 10, `l4lab bench sim`). Each runs a
 * deterministic amount of simulated work and returns what it simulated; the host-side harness
 * (engine/host/node) times it. The engine never reads the host clock.
 */
export interface SimWorkloadResult {
  /** Simulated cycles the run covered. */
  readonly simulatedCycles: number;
  /** Operations simulated (IPCs, system calls, cache-line accesses...). */
  readonly operations: number;
  /** What an operation is, for the report ("cache-line accesses"). */
  readonly operationName: string;
  /** A value that must not change when the simulator gets faster (part of the digest). */
  readonly fingerprint: string;
}

/**
 * Host-side probe that a workload calls when its measured window opens and closes (after boot
 * and warm-up), so the host times only the simulated work it reports. The engine never reads the
 * host clock itself; a workload that never calls it is timed as a whole.
 */
export interface HostWindowProbe {
  begin(): void;
  end(): void;
}

export interface SimWorkload {
  readonly id: string;
  readonly title: string;
  /** Simulated clock, for the real-time factor. */
  readonly clockMHz: number;
  /** Runs the workload once at `scale` (1 = the standard size); `simulatedCycles` and `operations` cover the probe's window. */
  run(scale: number, probe?: HostWindowProbe): SimWorkloadResult;
}

const workloads: SimWorkload[] = [];

/** Kernels register their workloads (an IPC ping-pong, a getpid loop) next to their suites. */
export function registerSimWorkload(workload: SimWorkload): void {
  if (workloads.some((w) => w.id === workload.id)) throw new Error(`sim workload ${workload.id} registered twice`);
  workloads.push(workload);
}

export function listSimWorkloads(): readonly SimWorkload[] {
  return workloads;
}

registerSimWorkload({
  id: 'machine.cache-lines',
  title: 'memory-bound copy and read (bare machine)',
  clockMHz: 133,
  run(scale, probe) {
    const machine = bareMetalMachine({ mappedMB: 32 });
    const base = bareMetalFreeBase(machine);
    const size = 4 << 20;
    const rounds = Math.max(1, Math.round(4 * scale));
    probe?.begin();
    const start = machine.now;
    for (let round = 0; round < rounds; round++) {
      machine.cpu.copy(base, base + size + 0x20020, size, true, true);
      machine.cpu.access(base, size, ACCESS_READ, true);
    }
    probe?.end();
    const lines = (rounds * size * 3) / machine.parameters.lineBytes;
    return {
      simulatedCycles: machine.now - start,
      operations: lines,
      operationName: 'cache-line accesses',
      fingerprint: JSON.stringify(machine.stats.snapshot('machine.')),
    };
  },
});

/** FNV-1a over a string: the digest of simulated results printed by `bench sim`. */
export function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
