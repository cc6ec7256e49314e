import { IDT_PHYSICAL, KERNEL_CODE_PHYSICAL, KERNEL_CODE_BYTES, SIGMA0_MEMORY_PHYSICAL } from '../../engine/l4/kernelLayout';
import type { LinuxBootOptions } from '../../engine/linux/boot';
import type { CodeBlock } from '../../engine/linux/l4/glueCode';
import { L4Linux } from '../../engine/linux/l4/l4linux';
import { SERVER_IMAGE } from '../../engine/linux/l4/layout';
import { bootLinuxSystem } from '../../engine/linux/systems';

/** One L1 line the measured getpid loop touched: its physical line number, code or data, where it is and the Figure 5 phase that first touched it. */
export interface FootprintLine {
  readonly line: number;
  readonly kind: 'code' | 'data';
  readonly region: string;
  readonly phase: string;
  /** Accesses and L1 misses of this line per iteration (a line touched by a rare event, a timer tick, has far fewer accesses than one). */
  readonly accessesPerCall: number;
  readonly missesPerCall: number;
}

/** What one warm getpid iteration touches in the L1 caches, from a {@link getpidFootprint} run. */
export interface GetpidFootprint {
  readonly system: string;
  readonly calls: number;
  readonly cyclesPerCall: number;
  readonly lines: readonly FootprintLine[];
  /** L1 sets (I- or D-cache) in which the loop touches more lines, each at least every other call, than the cache has ways. */
  readonly conflicts: ReadonlyArray<{ readonly kind: 'code' | 'data'; readonly set: number; readonly lines: readonly FootprintLine[] }>;
  /** Hardware page walks (I-TLB and D-TLB misses) per iteration. */
  readonly tlbMissesPerCall: number;
}

type Method = (...args: number[]) => number;

/**
 * A test-only diagnostic (never part of the engine): runs `lat_syscall getpid calls` on `system`
 * and records every L1 line the measured loop reads or writes (code fetches and data; not the
 * page walker's reads, which the Pentium MMU does not put in L1), with the Figure 5 phase that
 * first touched it and the region it lies in (L4 kernel code or data, the L4Linux server's
 * glue, the personality's text, the emulation library, the rest). SOSP'97 Fig. 5's "45 cache
 * lines, 9 % of the first-level cache" counts both L1s (16 KB = 512 lines). It shadows the
 * memory system's entry points with own properties of that instance (as CacheMissProbe), so
 * simulated time is unchanged.
 */
export function getpidFootprint(system: string, calls = 2000, options: LinuxBootOptions = {}): GetpidFootprint {
  return loopFootprint(system, `lat_syscall getpid ${calls} 1000`, calls, options);
}

/** {@link getpidFootprint} of any guest `command` that marks 'start' and 'stop' around `iterations` rounds of its loop. */
export function loopFootprint(system: string, command: string, iterations: number, options: LinuxBootOptions = {}): GetpidFootprint {
  const calls = iterations;
  const booted = bootLinuxSystem(system, { seed: 1, ...options, initArgs: ['sh', '-c', command] });
  const machine = booted.machine;
  const caches = machine.caches;
  const shift = caches.lineShift;
  const touched = new Map<string, { line: number; kind: 'code' | 'data'; phase: string; accesses: number; misses: number }>();
  let active = false;
  let start = 0;
  let stop = 0;
  let tlbStart = 0;
  let tlbStop = 0;
  const note = (line: number, kind: 'code' | 'data', missed: boolean) => {
    const key = `${kind}${line}`;
    let entry = touched.get(key);
    if (entry === undefined) touched.set(key, (entry = { line, kind, phase: machine.accounting.phase ?? 'user', accesses: 0, misses: 0 }));
    entry.accesses++;
    if (missed) entry.misses++;
  };
  const own = caches as unknown as Record<string, Method>;
  const wrap = (name: string, lines: (args: number[]) => [number, number], kind: 'code' | 'data') => {
    const original = own[name].bind(caches) as Method;
    own[name] = (...args: number[]) => {
      if (active) {
        const [first, last] = lines(args);
        const l1 = kind === 'code' ? caches.l1i : caches.l1d;
        for (let line = first; line <= last; line++) note(line, kind, l1.find(line) < 0);
      }
      return original(...args);
    };
  };
  wrap('readCodeLine', (a) => [a[0], a[0]], 'code');
  wrap('readCodeLines', (a) => [a[0], a[1]], 'code');
  wrap('readDataLine', (a) => [a[0], a[0]], 'data');
  wrap('readDataLines', (a) => [a[0], a[1]], 'data');
  wrap('writeData', (a) => [a[0] >>> shift, a[0] >>> shift], 'data');
  const tlbMisses = () => machine.stats.get('machine.mmu.pageWalks') ?? 0;
  booted.runtime.onMark = (label) => {
    if (label === 'start') {
      start = machine.scheduler.now;
      tlbStart = tlbMisses();
      active = true;
    } else if (label === 'stop') {
      active = false;
      stop = machine.scheduler.now;
      tlbStop = tlbMisses();
    }
  };
  const outcome = booted.run(600 * machine.parameters.clockMHz * 1e6);
  for (const name of ['readCodeLine', 'readCodeLines', 'readDataLine', 'readDataLines', 'writeData']) delete own[name];
  if (outcome !== 'halted' || booted.exitStatus !== 0) throw new Error(`'${command}' on ${system}: ${outcome}, status ${booted.exitStatus}`);
  const regionOf = regions(booted.substrate instanceof L4Linux ? booted.substrate.code.dispatch : null);
  const lines = [...touched.values()]
    .map((entry): FootprintLine => ({ line: entry.line, kind: entry.kind, region: regionOf(entry.line << shift, entry.kind), phase: entry.phase, accessesPerCall: entry.accesses / calls, missesPerCall: entry.misses / calls }))
    .sort((a, b) => a.line - b.line);
  const conflicts: Array<{ kind: 'code' | 'data'; set: number; lines: FootprintLine[] }> = [];
  for (const kind of ['code', 'data'] as const) {
    const l1 = kind === 'code' ? caches.l1i : caches.l1d;
    const bySet = new Map<number, FootprintLine[]>();
    for (const line of lines) if (line.kind === kind && line.accessesPerCall >= 0.5) bySet.set(line.line & (l1.sets - 1), [...(bySet.get(line.line & (l1.sets - 1)) ?? []), line]);
    for (const [set, inSet] of [...bySet].sort((a, b) => a[0] - b[0])) if (inSet.length > l1.ways) conflicts.push({ kind, set, lines: inSet });
  }
  return { system, calls, cyclesPerCall: (stop - start) / calls, lines, conflicts, tlbMissesPerCall: (tlbStop - tlbStart) / calls };
}

/** The region of a physical address: the L4 kernel's code and data, the L4Linux server image's parts (`glue`: the server glue, null: not L4Linux), the rest. */
function regions(glue: CodeBlock | null): (physical: number, kind: 'code' | 'data') => string {
  return (physical, kind) => {
    if (glue === null) return kind === 'code' ? 'code' : 'data';
    if (physical >= KERNEL_CODE_PHYSICAL && physical < IDT_PHYSICAL) return 'L4 kernel code';
    if (physical >= IDT_PHYSICAL && physical < KERNEL_CODE_PHYSICAL + KERNEL_CODE_BYTES) return 'L4 kernel data (IDT, GDT, TSS)';
    if (physical < SIGMA0_MEMORY_PHYSICAL) return 'L4 kernel data (TCBs, stacks, tables)';
    if (physical >= SERVER_IMAGE.emulation && physical < SERVER_IMAGE.emulation + 0x1000) return 'emulation library';
    if (kind === 'code' && physical >= glue.address && physical < glue.address + glue.bytes) return 'server glue (+ entry.S kept)';
    if (physical >= SERVER_IMAGE.text && physical < SERVER_IMAGE.emulation) return kind === 'code' ? 'Linux personality text' : 'server data';
    if (physical >= SERVER_IMAGE.data && physical < SERVER_IMAGE.end) return 'server data (sys_call_table, globals, thread stacks)';
    return kind === 'code' ? 'user code' : `Linux/user data (page 0x${(physical >>> 12).toString(16)})`;
  };
}
