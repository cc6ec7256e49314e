import { CATEGORY_INDEX } from '../../engine/base/cycleCategory';
import { SIGMA0_MEMORY_PHYSICAL } from '../../engine/l4/kernelLayout';
import { bootLinuxSystem } from '../../engine/linux/systems';
import { CacheMissProbe, type ProbeAccess, type ProbeLevel, type StallCell } from './cacheMissProbe';

/** Per 64 KB block: accesses and stall cycles of one region, access kind and level. */
export interface AttributionRow extends StallCell {
  readonly region: string;
  readonly access: ProbeAccess;
  readonly level: ProbeLevel;
  readonly inCopy: boolean;
}

/** Where bw_pipe's stall cycles went on one system, per 64 KB block (SOSP'97 Table 4, row 1/1a/1b). */
export interface PipeAttribution {
  readonly system: string;
  readonly blocks: number;
  readonly cyclesPerBlock: number;
  /** The `cacheMiss` and `tlbRefill` categories of the cycle accounting, per block. */
  readonly cacheMissPerBlock: number;
  readonly tlbRefillPerBlock: number;
  readonly rows: readonly AttributionRow[];
  /** Physical page numbers of the pipe's buffer, the writer's source and the reader's destination. */
  readonly placement: { readonly pipe: number[]; readonly writer: number[]; readonly reader: number[] };
  /** L1 evictions of pipe-buffer lines per block, by the region of the line that evicted them. */
  readonly pipeEvictions: ReadonlyMap<string, number>;
}

const BLOCK = 65536;

/**
 * Runs `bw_pipe total 65536` on `system` with a {@link CacheMissProbe} over the measured part and
 * attributes the stalls to the pipe page, the writer's and the reader's buffers (found from the
 * copies into and out of the pipe page), Linux's page tables, task structs and kernel stacks, the
 * L4 kernel's memory (below sigma0's), code and other kernel data.
 */
export function pipeMissAttribution(system: string, total = 4 << 20): PipeAttribution {
  const booted = bootLinuxSystem(system, { seed: 1, initArgs: ['sh', '-c', `bw_pipe ${total} ${BLOCK}`] });
  const machine = booted.machine;
  const probe = new CacheMissProbe(machine);
  const regions = new Map<number, string>();
  const pipePages: number[] = [];
  let start = { cycles: 0, categories: new Float64Array(0) };
  let stop = start;
  let bytes = 0;
  const snapshot = () => ({ cycles: machine.scheduler.now, categories: machine.accounting.byCategory.slice() });
  booted.runtime.onMark = (label, value) => {
    if (label === 'start') {
      for (const task of booted.kernel.scheduler.tasks) for (const file of task.files) if (file?.inode.pipe) pipePages.push(file.inode.pipe.page >>> 12);
      pipePages.forEach((page) => probe.watch(page));
      start = snapshot();
      probe.active = true;
    } else if (label === 'stop') {
      probe.active = false;
      stop = snapshot();
      bytes = value;
      // the tables and structures as they are at the end of the measured part
      for (const task of booted.kernel.scheduler.tasks) {
        regions.set(task.structPhysical >>> 12, 'task structs, kernel stacks');
        regions.set(task.kernelStackPhysical >>> 12, 'task structs, kernel stacks');
        if (task.mm === null) continue;
        regions.set(task.mm.pgd >>> 12, 'Linux page tables');
        for (let slot = 0; slot < 768; slot++) {
          const pde = machine.memory.read32(task.mm.pgd + slot * 4);
          if ((pde & 1) !== 0) regions.set(pde >>> 12, 'Linux page tables');
        }
      }
    }
  };
  const outcome = booted.run(600 * machine.parameters.clockMHz * 1e6);
  probe.detach();
  if (outcome !== 'halted' || booted.exitStatus !== 0) throw new Error(`bw_pipe on ${system}: ${outcome}, status ${booted.exitStatus}`);
  const placement = { pipe: [...new Set(pipePages)], writer: [] as number[], reader: [] as number[] };
  for (const key of probe.copies.keys()) {
    const [source, target] = key.split('>').map(Number);
    if (placement.pipe.includes(target)) placement.writer.push(source);
    if (placement.pipe.includes(source)) placement.reader.push(target);
  }
  placement.pipe.forEach((page) => regions.set(page, 'pipe buffer'));
  placement.writer.forEach((page) => regions.set(page, "writer's buffer (source)"));
  placement.reader.forEach((page) => regions.set(page, "reader's buffer (destination)"));
  const l4 = system.startsWith('l4linux');
  const regionOf = (page: number, access: ProbeAccess): string => {
    const known = regions.get(page);
    if (known !== undefined) return known;
    if (l4 && page < SIGMA0_MEMORY_PHYSICAL >>> 12) return access === 'walk' ? 'L4 page tables' : access === 'fetch' ? 'L4 code' : 'L4 kernel data (TCBs, stacks)';
    return access === 'walk' ? 'other page tables' : access === 'fetch' ? 'kernel code' : 'other kernel data';
  };
  const blocks = bytes / BLOCK;
  const merged = new Map<string, AttributionRow>();
  for (const entry of probe.entries()) {
    const region = regionOf(entry.page, entry.access);
    const key = `${region}|${entry.access}|${entry.level}|${entry.inCopy}`;
    const row = merged.get(key) ?? { region, access: entry.access, level: entry.level, inCopy: entry.inCopy, accesses: 0, stall: 0, charged: 0 };
    row.accesses += entry.cell.accesses / blocks;
    row.stall += entry.cell.stall / blocks;
    row.charged += entry.cell.charged / blocks;
    merged.set(key, row);
  }
  const pipeEvictions = new Map<string, number>();
  for (const [page, lines] of probe.evictions) {
    const region = page < 0 ? 'unknown' : regionOf(page, 'read');
    pipeEvictions.set(region, (pipeEvictions.get(region) ?? 0) + lines / blocks);
  }
  const category = (name: 'cacheMiss' | 'tlbRefill') => (stop.categories[CATEGORY_INDEX[name]] - start.categories[CATEGORY_INDEX[name]]) / blocks;
  return {
    system,
    blocks,
    cyclesPerBlock: (stop.cycles - start.cycles) / blocks,
    cacheMissPerBlock: category('cacheMiss'),
    tlbRefillPerBlock: category('tlbRefill'),
    rows: [...merged.values()].sort((a, b) => b.charged - a.charged),
    placement,
    pipeEvictions,
  };
}
