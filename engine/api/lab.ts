/**
 * The lab API of `.l4lab` notebooks (DESIGN.md §7): what a TypeScript cell sees as `lab`. Every
 * call is synchronous (the simulator runs on the engine worker's thread) and every result shown
 * is computed by the engine. Displays go to the running cell's outputs, each with a plain-text
 * fallback. Pure engine code: no vscode, DOM or node imports.
 */
import { bootableLinuxSystems, bootSystem, describeMachine, listSuites, runSuite, runCustomServer, type MachineOverrides, type ResultRecord, type SuiteReport } from './index';
import { describeWhatIf, listParameters, PUBLISHED, resolveParameters, type ParameterListing, type ParameterSettings, type WhatIf } from './parameterCatalog';
import { whatIfBanner } from '../linux/kernelOverrides';
import { UnknownSystemError } from '../linux/systems';
import type { LinuxSystem } from '../linux/boot';
import { L4BenchSystem } from '../bench/l4/l4System';
import { fpage, receiveWindow, SEND_SHORT_MAP, UNMAP_FLUSH, type L4Api, type ThreadId } from '../l4/guestApi';
import { inspectMappingTree, type MappingTree } from '../l4/mappingInspect';
import type { Activity } from '../machine/executionContext';
import { LAB_MIME, type LabChartData, type LabOutputItem, type LabPageFaultPathData, type LabSequenceData, type LabSequenceEvent, type LabTableData } from './labProtocol';
import type { TraceRecord } from '../base/trace';
import { SHELL_PROMPT } from '../userland/programs';

/** Systems a lab may ask to boot; only some are built in this engine (see {@link Lab.boot}). */

export const LAB_SYSTEMS = ['linux', 'l4linux', 'l4linux-trampoline', 'mklinux-user', 'mklinux-kernel'] as const;

/** A booted guest system with a shell waiting for commands. */
export interface LabSystem {
  /** The system id (`linux`, ...). */
  readonly id: string;
  /** Simulated cycles since boot. */
  readonly cycles: number;
  /**
   * Types `command` at the guest shell, runs until the shell waits for input again, and returns
   * the console output of the command (also shown as the cell's output unless `quiet`). A
   * command that reads the terminal (`cat`) is still running when this returns, as the cell's
   * output says: the next call types its input, `sh('\u0004')` sends ^D. After `exit` the system
   * has shut down, and a further call is an error (boot it again).
   */
  sh(command: string, options?: { quiet?: boolean }): string;
}

/** ABI helpers a lab task body gets (the encodings of the L4/x86 v2 ABI). */
export const LAB_L4_ABI = { fpage, receiveWindow, SEND_SHORT_MAP, UNMAP_FLUSH } as const;

/** A bare L4 kernel on a fresh machine, with sigma0 as the pager of the tasks a lab starts. */
export interface LabL4 {
  /** Encodings of the ABI: `fpage(address, log2size, writable, grant)`, `receiveWindow`, `SEND_SHORT_MAP`, `UNMAP_FLUSH`. */
  readonly abi: typeof LAB_L4_ABI;
  /**
   * Starts task `number` (5..) whose first thread runs `body`, a generator: every `yield*` is a
   * system call (`l4.ipcCall`, `l4.ipcReplyAndWait`, `l4.touch`, `l4.fpageUnmap`...). Returns its thread id.
   */
  task(number: number, body: (l4: L4Api, abi: typeof LAB_L4_ABI) => Activity): ThreadId;
  /** Id of the first thread of task `number` (null if there is none). */
  idOf(number: number): ThreadId | null;
  /** Runs the kernel until every thread waits or `maxCycles` more cycles passed; returns the cycles run. */
  run(maxCycles?: number): number;
  /** Simulated cycles since the machine started. */
  readonly now: number;
  /**
   * Runs like {@link LabL4.run} with the kernel's trace points on (IPC, page faults, thread
   * switches) and shows the interval as a sequence diagram (threads as lanes, cycle stamps);
   * returns its events. `maxEvents` bounds the diagram (default 40).
   */
  trace(maxCycles?: number, options?: { maxEvents?: number; quiet?: boolean; title?: string }): LabSequenceEvent[];
  /**
   * Shows the machine state (side-effect free): the L4 tasks and their threads, the data TLB's
   * valid entries (page → frame, tag) and how many lines of each cache are valid.
   */
  inspect(): void;
  /** Shows the path of the first page fault of `events` (fault → kernel → IPC to pager → map → resume, Figure 1). */
  pageFaultPath(events: readonly LabSequenceEvent[]): LabPageFaultPathData | undefined;
  /**
   * The mapping tree of the frame mapped at `va` in task `task` (side-effect free), marking what
   * an `fpage_unmap` by that task at `va` would remove; shown as a tree unless `quiet`.
   */
  mappingTree(task: number, va: number, options?: { includeSelf?: boolean; quiet?: boolean }): MappingTree | undefined;
}

/** Plain-text mapping tree (the diff-friendly fallback). */
export function formatMappingTree(tree: MappingTree): string {
  const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;
  const lines = [`frame ${hex(tree.frame)}`];
  const walk = (node: MappingTree['root'], depth: number) => {
    lines.push(`${'  '.repeat(depth)}└ task ${node.task} @ ${hex(node.address)} ${node.writable ? 'rw' : 'ro'}${node.removedByUnmap ? '   [removed by the unmap]' : ''}`);
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(tree.root, 0);
  return lines.join('\n');
}

/** Sequence events of trace records (cycle stamps relative to `start`). */
function sequenceEvents(records: readonly TraceRecord[], start: number): LabSequenceEvent[] {
  const events: LabSequenceEvent[] = [];
  /** Lane name of an L4 thread name (task.lthread): sigma0 is task 2. */
  const lane = (name: string) => (name === '' ? '' : name.startsWith('2.') ? `sigma0 ${name}` : `thread ${name}`);
  for (const record of records) {
    const f = record.fields;
    const cycle = record.time - start;
    if (record.point === 'l4.ipc') {
      const to = lane(String(f.destination));
      events.push({ cycle, kind: 'ipc', from: lane(String(f.thread)), to: to === '' ? lane(String(f.thread)) : to, label: to === '' ? 'IPC: wait' : f.receive === true ? 'IPC: call / reply+wait' : 'IPC: send' });
    } else if (record.point === 'l4.pageFault') {
      events.push({ cycle, kind: 'pageFault', from: lane(String(f.thread)), to: lane(String(f.pager)), label: `#PF 0x${Number(f.address).toString(16)}${f.write === true ? ' (write)' : ''}` });
    } else if (record.point === 'l4.switch') {
      events.push({ cycle, kind: 'switch', from: lane(String(f.from)), to: lane(String(f.to)), label: f.spaceSwitch === true ? 'switch + CR3 reload' : 'switch', spaceSwitch: f.spaceSwitch === true });
    }
  }
  return events;
}

/** Plain-text sequence (the diff-friendly fallback). */
export function formatSequence(data: LabSequenceData): string {
  const lines = data.events.map((e) => `${String(e.cycle).padStart(9)}  ${e.from} -> ${e.to}  ${e.label}`);
  return `${data.title ? `${data.title}\n` : ''}lanes: ${data.lanes.join(' | ')}\n${lines.join('\n')}`;
}

/** Plain-text page-fault path. */
export function formatPageFaultPath(data: LabPageFaultPathData): string {
  return `page fault of ${data.thread} at 0x${data.address.toString(16)} (pager ${data.pager})\n${data.steps.map((s) => `${String(s.cycle).padStart(7)}  ${s.label}`).join('\n')}`;
}

/** Formats a number for a table: integers as they are, others with 3 significant decimals. */
function cell(value: number | null): string {
  if (value === null) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 1 : 3);
}

/** Plain-text rendering of a table (the diff-friendly fallback). */
export function formatLabTable(table: LabTableData): string {
  const rows = [table.columns.map(String), ...table.rows.map((row) => row.map((value) => (typeof value === 'number' || value === null ? cell(value) : value)))];
  const widths = table.columns.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) => row.map((value, c) => value.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  const out = rows.map(line);
  out.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return `${table.title ? `${table.title}\n` : ''}${out.join('\n')}`;
}

/** Plain-text rendering of a chart: one line per label and series. */
export function formatLabChart(chart: LabChartData): string {
  const values = chart.series.flatMap((s) => s.values);
  const max = Math.max(1e-9, ...values);
  // One number format for the whole chart, so that the values line up.
  const decimals = values.every(Number.isInteger) ? 0 : max >= 10 ? 1 : 3;
  const rows = chart.labels.flatMap((label, i) => chart.series.map((s) => ({ name: `${label} ${s.name}`, value: s.values[i] ?? 0 })));
  const nameWidth = Math.max(0, ...rows.map((row) => row.name.length));
  const valueWidth = Math.max(0, ...rows.map((row) => row.value.toFixed(decimals).length));
  const lines = rows.map(({ name, value }) => `${name.padEnd(nameWidth)}  ${value.toFixed(decimals).padStart(valueWidth)}${chart.unit ? ` ${chart.unit}` : ''}  ${'#'.repeat(Math.round((value / max) * 30))}`);
  return `${chart.title ? `${chart.title}\n` : ''}${lines.join('\n')}`;
}

/**
 * What {@link Lab.require} throws when a lab needs a system or a suite that this engine build does
 * not have yet. `l4lab lab run` reports such a lab as skipped (with this message), not as failed.
 */
export class LabUnavailableError extends Error {
  override name = 'LabUnavailable';
}

/** What a lab needs: systems to boot, and suites (each on the systems listed; `[]` = on any). */
export interface LabNeeds {
  readonly boot?: readonly string[];
  readonly suites?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The object every TypeScript cell has in scope as `lab`. One per notebook (one engine worker per
 * notebook): booted systems and machine settings carry over from cell to cell.
 */
export class Lab {
  /** What-if parameters (machine and kernels) used by later boots, suites and custom servers. */
  private whatIf: WhatIf = PUBLISHED;
  /** L4 small spaces for later boots and suites: undefined is each system's published configuration. */
  private smallSpaces: boolean | undefined;
  private readonly booted = new Map<string, LinuxSystem>();

  /**
   * @param emit receives each output the cell displays.
   * @param mode iteration counts of suites and custom servers: `quick` (default) or `full`.
   * @param progress receives the progress of suite runs (what runs now, fraction done).
   */
  constructor(
    private readonly emit: (items: LabOutputItem[]) => void,
    readonly mode: 'quick' | 'full' = 'quick',
    private readonly progress?: (message: string, fraction?: number) => void,
  ) {}

  /** Shows text (or JSON of any other value) as a cell output. */
  print(...values: unknown[]): void {
    const text = values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2))).join(' ');
    this.emit([{ mime: LAB_MIME.text, data: text }]);
  }

  /** Shows Markdown (rendered by VS Code; the source is the plain-text fallback). */
  markdown(text: string): void {
    this.emit([{ mime: LAB_MIME.markdown, data: text }, { mime: LAB_MIME.text, data: text }]);
  }

  /** Shows a table (rendered by the L4 Lab renderer, with a plain-text fallback). */
  table(table: LabTableData): void {
    this.emit([{ mime: LAB_MIME.table, data: table }, { mime: LAB_MIME.text, data: formatLabTable(table) }]);
  }

  /** Shows a bar chart; `stacked: true` stacks the series (e.g. where the cycles went). */
  chart(chart: LabChartData): void {
    this.emit([{ mime: LAB_MIME.chart, data: chart }, { mime: LAB_MIME.text, data: formatLabChart(chart) }]);
  }

  /** The systems {@link Lab.boot} can boot in this engine build (`linux`, and `l4linux`, `mklinux-*` once registered). */
  systems(): string[] {
    return bootableLinuxSystems();
  }

  /**
   * States what the rest of the lab needs; throws {@link LabUnavailableError} naming whatever
   * this engine build lacks (a lab's first code cell calls it, so that a lab that cannot run yet
   * says so plainly instead of failing halfway).
   */
  require(needs: LabNeeds): void {
    const bootable = bootableLinuxSystems();
    const suites = listSuites();
    const missing = (needs.boot ?? []).filter((system) => !bootable.includes(system)).map((system) => `booting '${system}'`);
    for (const [suite, systems] of Object.entries(needs.suites ?? {})) {
      const known = suites.find((entry) => entry.id === suite);
      if (known === undefined) missing.push(`the '${suite}' suite`);
      else missing.push(...systems.filter((system) => !(known.systems as readonly string[]).includes(system)).map((system) => `the '${suite}' suite on '${system}'`));
    }
    if (missing.length > 0) {
      throw new LabUnavailableError(`this lab needs ${missing.join(', ')}, which this engine build does not have yet (bootable: ${bootable.join(', ')}; suites: ${suites.map((suite) => `${suite.id} [${suite.systems.join(', ')}]`).join('; ')})`);
    }
  }

  /** Suites this engine can run, with the systems each supports. */
  suites(): Array<{ id: string; title: string; systems: string[] }> {
    return listSuites();
  }

  /**
   * Sets what-if machine parameters (e.g. `{ clockMHz: 200 }`) for later boots, suites and custom
   * servers; `{}` goes back to the SOSP'97 Pentium. Kernel what-ifs ({@link Lab.setParameters})
   * stay as they are. Returns the resulting machine summary.
   * @throws ParameterError for an unknown name or a value out of range.
   */
  setMachine(overrides: MachineOverrides): string {
    const kernels = Object.entries(this.whatIf.overrides).filter(([name]) => !name.startsWith('machine.'));
    const machine = Object.entries(overrides).map(([name, value]) => [`machine.${name}`, value]);
    this.whatIf = resolveParameters(Object.fromEntries([...kernels, ...machine]) as ParameterSettings);
    return describeMachine(this.whatIf.machine).summary;
  }

  /**
   * Sets what-if parameters of any table for later boots, suites, bare L4 kernels and custom
   * servers, replacing every earlier what-if (machine ones too): names are `table.name` with a
   * table of `l4lab parameters` (`machine`, `l4`, `linux`, `native`, `l4linux`, `mach`,
   * `mklinux`; machine names may go without `machine.`), e.g.
   * `lab.setParameters({ 'l4.ipcShortPathCycles': 40 })`. `{}` goes back to the paper's
   * configuration. Returns a summary of the overrides with their published values.
   * @throws ParameterError naming the valid tables, the nearest name or the allowed range.
   */
  setParameters(settings: ParameterSettings): string {
    this.whatIf = resolveParameters(settings);
    return describeWhatIf(this.whatIf);
  }

  /**
   * Every parameter (or those of `table`, e.g. `'l4'`) with its value in effect, unit,
   * provenance and source, overridden ones marked; shown as a table unless `quiet`.
   * @throws ParameterError for an unknown table.
   */
  parameters(table?: string, options: { quiet?: boolean } = {}): ParameterListing[] {
    const rows = listParameters(this.whatIf, table);
    if (options.quiet !== true) {
      this.table({
        title: `${table === undefined ? 'every parameter table' : `table ${table}`}: ${describeWhatIf(this.whatIf).split('\n')[0]}`,
        columns: ['parameter', 'value', 'unit', 'published', 'provenance', 'what'],
        rows: rows.map((row) => [`${row.overridden ? '* ' : ''}${row.qualifiedName}`, String(row.value), row.unit, String(row.defaultValue), row.provenance, row.description]),
      });
    }
    return rows;
  }

  /**
   * The L4 small-spaces what-if for later boots and suites: `false` runs the L4Linux server in a
   * large space (every system call then loads CR3 and refills the TLB), `true` or `undefined`
   * (the default, the paper's configuration) in a small one. Returns the setting in words.
   */
  setSmallSpaces(enabled: boolean | undefined): string {
    if (enabled !== undefined && typeof enabled !== 'boolean') throw new TypeError(`setSmallSpaces takes true, false or undefined, not ${JSON.stringify(enabled)}`);
    this.smallSpaces = enabled;
    return enabled === false ? 'L4 small spaces off (what-if)' : 'L4 small spaces as published (the L4Linux server in a small space)';
  }

  /** The machine parameters in effect: every parameter with value, unit and source. */
  machine(): ReturnType<typeof describeMachine> {
    return describeMachine(this.whatIf.machine);
  }

  /**
   * Runs benchmark suite `suite` (`lab.suites()` lists them) on `systems` (default: all it
   * supports), shows the results with the paper's values and returns the report.
   * @throws RangeError for an unknown suite or system.
   */
  runSuite(suite: string, systems?: readonly string[], options: { quiet?: boolean } = {}): SuiteReport {
    const progress = this.progress;
    const report = runSuite(suite, systems, { machine: this.whatIf.machine, kernels: this.whatIf.kernels, mode: this.mode, smallSpaces: this.smallSpaces, ...(progress ? { progress: (fraction: number, label: string) => progress(`${suite}: ${label}`, fraction) } : {}) });
    if (options.quiet !== true) this.showResults(report.results, `${suite} (${this.mode} mode)${this.whatIfTitle()}`);
    return report;
  }

  /** ` — WHAT-IF (…)` for the title of results measured under overrides, else ''. */
  private whatIfTitle(): string {
    return whatIfBanner(this.whatIf.overrides).map((line) => ` — ${line}`).join('');
  }

  /** Shows result records as a table: measured value, paper value and their ratio. */
  showResults(results: readonly ResultRecord[], title?: string): void {
    this.table({
      ...(title !== undefined ? { title } : {}),
      columns: ['benchmark', 'system', 'unit', 'measured', 'paper', 'measured/paper'],
      rows: results.map((r) => [r.benchmark, r.system, r.unit, r.value, r.paper, r.paper ? Number((r.value / r.paper).toFixed(3)) : null]),
    });
  }

  /** Shows a stacked chart of where the cycles of each result went (its cycle breakdown). */
  showBreakdown(results: readonly ResultRecord[], title = 'Where the cycles went'): void {
    const categories = [...new Set(results.flatMap((r) => Object.keys(r.breakdown)))];
    this.chart({
      title,
      stacked: true,
      unit: 'cycles',
      labels: results.map((r) => `${r.benchmark} (${r.system})`),
      series: categories.map((name) => ({ name, values: results.map((r) => Number(((r.breakdown as Record<string, number | undefined>)[name] ?? 0).toFixed(1))) })),
    });
  }

  /**
   * Boots `system` (one of {@link Lab.systems}: `linux`, `l4linux`, `mklinux-user`, ... as this
   * build registers them) and returns it with its shell waiting for commands. Booting again gives a
   * fresh system.
   * @throws Error "not available yet" for a system this engine cannot boot yet.
   */
  boot(system: string): LabSystem {
    let linux: LinuxSystem;
    try {
      linux = bootSystem(system, { ...this.whatIf.kernels, parameters: this.whatIf.machine, smallSpaces: this.smallSpaces, initArgs: [] });
    } catch (error) {
      if (error instanceof UnknownSystemError) {
        const known = (LAB_SYSTEMS as readonly string[]).includes(system);
        throw new Error(known ? `system '${system}' is not available yet in this engine build (${error.message})` : `unknown system '${system}' (known: ${LAB_SYSTEMS.join(', ')})`);
      }
      throw error;
    }
    this.booted.set(system, linux);
    const clock = linux.machine.parameters.clockMHz * 1e6;
    const settle = () => {
      const outcome = linux.run(600 * clock);
      if (outcome === 'failed') throw new Error(`the simulation of ${system} failed: ${String(linux.failure)}`);
      if (outcome === 'limit') throw new Error(`${system}: the command did not finish within 600 simulated seconds`);
      return outcome;
    };
    settle();
    const emit = this.emit;
    return {
      id: system,
      get cycles() {
        return linux.machine.scheduler.now;
      },
      sh(command: string, options: { quiet?: boolean } = {}): string {
        if (linux.exitStatus !== null) throw new Error(`${system} has shut down (its shell exited with status ${linux.exitStatus}): boot it again with lab.boot('${system}')`);
        let text = '';
        const stop = linux.machine.console.onOutput((chunk) => {
          text += chunk;
        });
        let outcome: string;
        try {
          linux.type(`${command}\n`);
          outcome = settle();
        } finally {
          stop();
        }
        if (options.quiet !== true) {
          emit([{ mime: LAB_MIME.console, data: { system, text } }, { mime: LAB_MIME.text, data: text }]);
          // the shell prints its prompt when a command is done: without it, the command reads the terminal
          if (outcome === 'waitingForInput' && !text.endsWith(SHELL_PROMPT)) {
            emit([{ mime: LAB_MIME.text, data: `(${system}: the command is still running and reads the terminal; the next sh() types its input, sh('\\u0004') sends ^D)` }]);
          }
          if (outcome === 'halted') emit([{ mime: LAB_MIME.text, data: `(${system} has shut down: its shell exited with status ${linux.exitStatus})` }]);
        }
        return text;
      },
    };
  }

  /**
   * A fresh bare L4 kernel (no Linux) on the current machine parameters, for experiments with
   * tasks, IPC and mappings written in the cell. Guest exceptions end the run with their error.
   */
  l4(): LabL4 {
    const system = new L4BenchSystem(this.whatIf.machine, { parameters: this.whatIf.kernels.l4 });
    const kernel = system.kernel;
    const emit = this.emit;
    let failure: unknown;
    return {
      abi: LAB_L4_ABI,
      task(number, body) {
        return system.task(number, function* (l4: L4Api) {
          try {
            yield* body(l4, LAB_L4_ABI);
          } catch (error) {
            failure ??= error;
            throw error;
          }
        });
      },
      idOf: (number) => kernel.idOf(number),
      get now() {
        return system.machine.now;
      },
      run(maxCycles = 50_000_000) {
        const start = system.machine.now;
        try {
          kernel.run(() => failure !== undefined, maxCycles);
        } catch (error) {
          throw failure ?? error;
        }
        if (failure !== undefined) throw failure;
        return system.machine.now - start;
      },
      trace(maxCycles = 2_000_000, options = {}) {
        const trace = system.machine.trace;
        trace.drain();
        trace.enable('l4.');
        const start = system.machine.now;
        try {
          this.run(maxCycles);
        } finally {
          trace.disableAll();
        }
        const all = sequenceEvents(trace.drain(), start);
        const events = all.filter((e) => !(e.kind === 'switch' && e.to.includes('idle'))).slice(0, options.maxEvents ?? 40);
        const lanes = [...new Set(events.flatMap((e) => [e.from, e.to]).filter((lane) => lane !== ''))];
        if (options.quiet !== true) {
          const data: LabSequenceData = { title: options.title ?? `first ${events.length} of ${all.length} events`, lanes, events };
          emit([{ mime: LAB_MIME.sequence, data }, { mime: LAB_MIME.text, data: formatSequence(data) }]);
        }
        return events;
      },
      inspect() {
        const tasks = kernel.tasks.filter((task) => task !== null);
        const lab = { table: (table: LabTableData) => emit([{ mime: LAB_MIME.table, data: table }, { mime: LAB_MIME.text, data: formatLabTable(table) }]) };
        lab.table({
          title: 'L4 tasks',
          columns: ['task', 'threads', 'mapped pages', 'small space'],
          rows: tasks.map((task) => [task.number, task.threads.filter((t) => t !== null && t !== undefined).map((t) => t!.name).join(' '), task.mappings.size, task.small ? 'yes' : 'no']),
        });
        const hex = (page: number) => `0x${(page * 4096).toString(16).padStart(8, '0')}`;
        const tlbs = system.machine.inspector.tlbs();
        lab.table({
          title: `data TLB: ${tlbs.dtlb.length} valid entries (4 KB pages)`,
          columns: ['set', 'way', 'linear page', 'frame', 'writable', 'tag'],
          rows: tlbs.dtlb.map((entry) => [entry.set, entry.way, hex(entry.page), hex(entry.frame), entry.writable ? 'yes' : 'no', entry.tag]),
        });
        const caches = system.machine.inspector.caches();
        lab.table({
          title: 'caches',
          columns: ['cache', 'sets', 'ways', 'valid lines'],
          rows: [caches.l1i, caches.l1d, caches.l2].filter((cache) => cache !== null).map((cache) => [cache!.name, cache!.sets, cache!.ways, cache!.validLines]),
        });
      },
      pageFaultPath(events) {
        const index = events.findIndex((e) => e.kind === 'pageFault');
        if (index < 0) return undefined;
        const fault = events[index]!;
        const address = Number.parseInt(fault.label.replace(/^#PF 0x/, ''), 16);
        const steps: Array<{ label: string; cycle: number }> = [{ label: `${fault.from} touches 0x${address.toString(16)}: #PF, kernel entry`, cycle: 0 }];
        const rest = events.slice(index + 1);
        const toPager = rest.find((e) => e.kind === 'switch' && e.to === fault.to);
        if (toPager) steps.push({ label: `kernel sends the fault as an IPC to the pager ${fault.to}${toPager.spaceSwitch ? ' (address-space switch)' : ''}`, cycle: toPager.cycle - fault.cycle });
        const reply = rest.find((e) => e.kind === 'ipc' && e.from === fault.to && e.to === fault.from);
        if (reply) steps.push({ label: `pager replies with a map item: the kernel maps the page into ${fault.from}`, cycle: reply.cycle - fault.cycle });
        const resume = rest.find((e) => e.kind === 'switch' && e.to === fault.from);
        if (resume) steps.push({ label: `${fault.from} resumes and retries the access`, cycle: resume.cycle - fault.cycle });
        const data: LabPageFaultPathData = { thread: fault.from, pager: fault.to, address, steps };
        emit([{ mime: LAB_MIME.pageFaultPath, data }, { mime: LAB_MIME.text, data: formatPageFaultPath(data) }]);
        return data;
      },
      mappingTree(task, va, options = {}) {
        const tree = inspectMappingTree(kernel, task, va, options.includeSelf === true);
        if (options.quiet !== true) {
          if (tree === undefined) emit([{ mime: LAB_MIME.text, data: `nothing is mapped at 0x${va.toString(16)} in task ${task}` }]);
          else emit([{ mime: LAB_MIME.mappingTree, data: tree }, { mime: LAB_MIME.text, data: formatMappingTree(tree) }]);
        }
        return tree;
      },
    };
  }

  /**
   * Runs a custom L4 server written in the cell: `server(l4, lab)` and `client(l4, server, lab)`
   * thread bodies (see labs/templates/l4lab.d.ts), on a fresh bare L4 with sigma0 as pager.
   * Shows its console and its IPC results; returns the result records.
   */
  customServer(module: { server: unknown; client: unknown }, options: { name?: string; smallSpaces?: boolean } = {}): ResultRecord[] {
    let output = '';
    const { results } = runCustomServer(module as Record<string, unknown>, {
      action: 'benchmark',
      fileName: options.name ?? 'cell',
      console: (text) => {
        output += text;
      },
      machine: this.whatIf.machine,
      l4: this.whatIf.kernels.l4,
      mode: this.mode,
      smallSpaces: options.smallSpaces === true,
    });
    if (output !== '') this.emit([{ mime: LAB_MIME.console, data: { system: 'l4', text: output } }, { mime: LAB_MIME.text, data: output }]);
    this.showResults(results, `${options.name ?? 'custom server'}${this.whatIfTitle()}`);
    return results;
  }
}
