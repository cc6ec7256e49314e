import { CAT } from '../machine/cpu';
import { ACCESS_READ, ACCESS_WRITE } from '../machine/cpu';
import type { Machine } from '../machine/machine';
import type { PentiumOverrides } from '../machine/pentiumParameters';
import lmbenchI586 from '../../labs/reference/lmbench96-i586.json';
import { bareMetalFreeBase, bareMetalMachine } from './bareMetal';

/** One figure of the machine report, with the published range it is compared with. */
export interface MachineFigure {
  readonly id: string;
  readonly what: string;
  readonly unit: 'MB/s' | 'cycles';
  readonly value: number;
  /** A published figure: `check` ones must be matched; `context` ones are shown for comparison. */
  readonly reference: { readonly min: number; readonly max: number; readonly source: string; readonly kind: 'check' | 'context' } | null;
  readonly breakdown: Record<string, number>;
}

export interface MachineReport {
  readonly machine: string;
  readonly figures: MachineFigure[];
}

/**
 * `l4lab bench machine`: the memory-hierarchy and TLB figures of the simulated Pentium, measured
 * by running access patterns through the model (the instruction costs of the loops are stated
 * with each measurement), beside the 1996 lmbench "Linux i586" ranges and SOSP'97's TLB miss.
 */
export function runMachineBenchmark(overrides: PentiumOverrides = {}): MachineReport {
  const figures: MachineFigure[] = [];
  const ranges = lmbenchI586.ranges;
  const lmb = (key: keyof typeof ranges) => ({ min: ranges[key].min, max: ranges[key].max, source: key === 'tlb.miss' ? 'SOSP97 §4.3' : 'lmbench 1996, Linux i586 rows', kind: 'check' as const });
  let description = '';

  const copyFigure = (id: string, what: string, size: number, reference: MachineFigure['reference']) => {
    const machine = bareMetalMachine({ parameters: overrides, mappedMB: 32 });
    description = machine.describe().summary;
    const base = bareMetalFreeBase(machine);
    const source = base;
    // destination offset by half the L2 plus a line, so that source and destination never
    // share an L2 line index (lmbench's best case)
    const target = base + Math.max(size, 1 << 20) + 0x20000 + 0x20;
    const rounds = Math.max(2, Math.ceil((4 << 20) / size));
    // warm-up: read both buffers and copy once, so cache-resident sizes start resident (the P5
    // does not allocate on write misses, so a never-read destination would never enter L1)
    machine.cpu.access(source, size, ACCESS_READ, true);
    machine.cpu.access(target, size, ACCESS_READ, true);
    machine.cpu.copy(source, target, size, true, true);
    const measured = measure(machine, () => {
      for (let round = 0; round < rounds; round++) machine.cpu.copy(source, target, size, true, true);
    });
    figures.push(figure(machine, id, what, 'MB/s', mbPerSecond(machine, size * rounds, measured.cycles), reference, measured.breakdown, measured.cycles / rounds));
  };
  copyFigure('bw.bcopy-l1', 'bcopy, 2 KB buffers (L1-resident)', 2048, null);
  copyFigure('bw.bcopy-l2', 'bcopy, 64 KB buffers (L2-resident)', 65536, null);
  copyFigure('bw.bcopy-memory', 'bcopy, 8 MB buffers (memory-bound)', 8 << 20, lmb('bw.bcopy-memory'));

  // lmbench rd: one ADD r32,m32 per dword (aluRegMem cycles); wr: one MOV m32,r32 per dword
  // (one simple instruction). Loop overhead is amortized by lmbench's unrolling.
  const streamFigure = (id: string, what: string, kind: typeof ACCESS_READ | typeof ACCESS_WRITE, reference: MachineFigure['reference']) => {
    const machine = bareMetalMachine({ parameters: overrides, mappedMB: 32 });
    const base = bareMetalFreeBase(machine);
    const size = 8 << 20;
    const lineBytes = machine.parameters.lineBytes;
    const pass = () => {
      for (let offset = 0; offset < size; offset += lineBytes) {
        const perDword = kind === ACCESS_READ ? machine.parameters.aluRegMem : machine.parameters.instruction;
        machine.cpu.charge((lineBytes / 4) * perDword, CAT.user);
        machine.cpu.access(base + offset, lineBytes, kind, true);
      }
    };
    pass();
    const measured = measure(machine, pass);
    figures.push(figure(machine, id, what, 'MB/s', mbPerSecond(machine, size, measured.cycles), reference, measured.breakdown, measured.cycles));
  };
  streamFigure('bw.read-memory', 'read, 8 MB (ADD r32,m32 per dword)', ACCESS_READ, lmb('bw.read-memory'));
  streamFigure('bw.write-memory', 'write, 8 MB (MOV m32,r32 per dword)', ACCESS_WRITE, lmb('bw.write-memory'));

  // TLB miss with page-table entries in L2: touch one word in each of 512 pages (8 × the DTLB),
  // offsetting by a line per page so the data themselves stay in L1 sets apart.
  {
    const machine = bareMetalMachine({ parameters: overrides, mappedMB: 32 });
    const base = bareMetalFreeBase(machine);
    const pages = 512;
    const touch = () => {
      for (let page = 0; page < pages; page++) machine.cpu.access(base + page * 4096 + ((page * 32) & 0xfff), 4, ACCESS_READ, true);
    };
    touch();
    touch();
    const walksBefore = machine.stats.get('machine.mmu.pageWalks') ?? 0;
    const measured = measure(machine, touch);
    const walks = (machine.stats.get('machine.mmu.pageWalks') ?? 0) - walksBefore;
    const refill = measured.breakdown.tlbRefill ?? 0;
    figures.push({ id: 'tlb.miss', what: `TLB miss, PTEs in L2 (${walks} walks)`, unit: 'cycles', value: round(refill / Math.max(1, walks)), reference: lmb('tlb.miss'), breakdown: perOperation(measured.breakdown, walks) });
  }

  // Refilling the TLBs after a CR3 load: touch 64 data pages and run 32 code pages, reload CR3,
  // touch them again; the second pass pays only the refills.
  {
    const machine = bareMetalMachine({ parameters: overrides, mappedMB: 32 });
    const base = bareMetalFreeBase(machine);
    const dataPages = machine.parameters.dtlbEntries;
    const codePages = machine.parameters.itlbEntries;
    const code = base + 0x400000;
    const pass = () => {
      for (let page = 0; page < dataPages; page++) machine.cpu.access(base + page * 4096 + ((page * 32) & 0xfff), 4, ACCESS_READ, true);
      for (let page = 0; page < codePages; page++) machine.cpu.fetchSupervisor(code + page * 4096 + ((page * 64) & 0xfff), 16);
    };
    pass();
    pass();
    const hot = measure(machine, pass);
    machine.cpu.loadCr3(machine.cpu.cr3);
    const cold = measure(machine, pass);
    figures.push({
      id: 'tlb.refill-after-cr3',
      what: `refill ${dataPages} D-TLB + ${codePages} I-TLB entries after a CR3 load`,
      unit: 'cycles',
      value: round(cold.cycles - hot.cycles),
      reference: { min: 864, max: 864, source: 'SOSP95 §4.1.2 estimate: 96 × 9 cycles, PTEs in L1; with SOSP97\'s 25-cycle miss: 2400', kind: 'context' },
      breakdown: { tlbRefill: round(cold.breakdown.tlbRefill ?? 0), cacheMiss: round((cold.breakdown.cacheMiss ?? 0) - (hot.breakdown.cacheMiss ?? 0)) },
    });
  }
  return { machine: description, figures };
}

function measure(machine: Machine, body: () => void): { cycles: number; breakdown: Record<string, number> } {
  machine.accounting.reset();
  const start = machine.now;
  body();
  return { cycles: machine.now - start, breakdown: { ...machine.accounting.breakdown() } };
}

function mbPerSecond(machine: Machine, bytes: number, cycles: number): number {
  return round(bytes / 1e6 / (cycles / (machine.parameters.clockMHz * 1e6)));
}

function perOperation(breakdown: Record<string, number>, operations: number): Record<string, number> {
  return Object.fromEntries(Object.entries(breakdown).map(([key, value]) => [key, round(value / Math.max(1, operations))]));
}

function figure(
  machine: Machine,
  id: string,
  what: string,
  unit: MachineFigure['unit'],
  value: number,
  reference: MachineFigure['reference'],
  breakdown: Record<string, number>,
  cyclesPerOperation: number,
): MachineFigure {
  const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
  const scale = total > 0 ? cyclesPerOperation / total : 0;
  void machine;
  return { id, what, unit, value, reference, breakdown: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, round(v * scale)])) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Plain-text rendering of a report. */
export function formatMachineReport(report: MachineReport): string {
  const lines = [`Machine: ${report.machine}`, ''];
  lines.push(`${'figure'.padEnd(58)} ${'simulated'.padStart(12)}   reference`);
  for (const f of report.figures) {
    const ref = f.reference === null ? '-' : f.reference.min === f.reference.max ? `${f.reference.min} ${f.unit} (${f.reference.source})` : `${f.reference.min}-${f.reference.max} ${f.unit} (${f.reference.source})`;
    const inside = f.reference === null || f.reference.kind === 'context' ? '' : within(f) ? '  ok' : '  OUTSIDE';
    lines.push(`${f.what.padEnd(58)} ${`${f.value} ${f.unit}`.padStart(12)}   ${ref}${inside}`);
    const parts = Object.entries(f.breakdown).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`).join(', ');
    if (parts) lines.push(`${''.padEnd(58)}   per ${f.unit === 'MB/s' ? 'operation' : 'miss'}: ${parts}`);
  }
  return lines.join('\n');
}

/** Is a `check` figure inside its reference range (±10%, or ±15% of a single value)? */
export function within(f: MachineFigure): boolean {
  if (f.reference === null) return true;
  const slack = f.reference.min === f.reference.max ? 0.15 : 0.1;
  return f.value >= f.reference.min * (1 - slack) && f.value <= f.reference.max * (1 + slack);
}
