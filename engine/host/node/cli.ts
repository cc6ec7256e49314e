/**
 * `l4lab`: the engine on the command line (DESIGN.md §8). The only engine code besides the worker
 * that may use Node. `--json` prints exactly one JSON document on stdout and nothing else.
 */
import './v8Tuning';
import fs from 'node:fs';
import { simBenchCommand } from './simBench';
import { reproduceInParallel } from './parallelReproduce';
import { LabFormatError, parseLabNotebook, serializeLabNotebook } from '../../api/labFormat';
import { runLabNotebook } from './workerLab';
import { formatFuzzReport, type FuzzReport } from '../../fuzz/fuzzReport';
import { runL4Fuzz } from '../../fuzz/l4Fuzz';
import { runLinuxFuzz } from '../../fuzz/linuxFuzz';
import path from 'node:path';
import {
  benchmarkMachine,
  bootSystem,
  bootableLinuxSystems,
  describeMachine,
  formatMachineBenchmark,
  formatReproduction,
  isSystemId,
  listParameters,
  listSuites,
  markdownReproduction,
  MemoryTooSmallError,
  parseParameterAssignment,
  PARAMETER_TABLES,
  resolveParameters,
  runSuite,
  whatIfBanner,
  type MachineOverrides,
  type SuiteReport,
  type SystemId,
  type WhatIf,
} from '../../api';

interface ParsedArguments {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

const HELP = `l4lab — the L4 Lab simulator on the command line

Usage:
  l4lab machine [--json] [--set NAME=VALUE ...]
      Print the simulated machine's configuration: every parameter with its unit and source.
  l4lab parameters [--table T] [--json] [--set TABLE.NAME=VALUE ...]
      Every parameter table (machine, l4, linux, native, l4linux, mach, mklinux) or table T:
      each parameter with its value, unit, provenance and source; '*' marks an overridden one.
  l4lab bench machine [--json] [--set NAME=VALUE ...]
      Measure the machine model: copy/read/write bandwidth in L1, L2 and DRAM, TLB miss and
      refill costs, beside the 1996 lmbench i586 figures and SOSP'97's 25-cycle TLB miss.
  l4lab bench SUITE [--system S[,S...]] [--json] [--full] [--scale X] [--set NAME=VALUE ...]
                    [--small-spaces on|off]
      Run a benchmark suite ('l4lab bench' alone lists them) on some systems (default: every
      system it supports); the paper's value beside each simulated one. Systems: linux, l4linux,
      l4linux-trampoline, mklinux-kernel, mklinux-user, l4. --scale sizes the macro
      benchmarks (compile: 0.05 quick, 1 full; aim: its loads, default 1).
  l4lab bench sim [--json] [--runs N] [--scale X] [--only ID,...] [--full] [--no-reproduce]
                  [--in-process]
      The simulator's own speed: host throughput and real-time factor (simulated seconds per
      host second) of fixed workloads, host time of reproduce --quick (and --full), peak
      memory, and digests of the simulated results. Each workload runs in a process of its
      own (fresh JIT state); --in-process runs them all in this one.
  l4lab boot SYSTEM [--script FILE] [--set NAME=VALUE ...] [--small-spaces on|off]
      Boot SYSTEM (linux, l4linux, l4linux-trampoline, mklinux-kernel, mklinux-user), print its
      boot log and run a shell on the terminal (Ctrl-C sends SIGINT to the foreground command,
      'exit' or Ctrl-D shuts down, Ctrl-] leaves the simulator). With --script, run FILE
      through sh non-interactively and exit with its status.
  l4lab reproduce [--quick | --full] [--json] [--out DIR] [--system S[,S...]] [--workers N]
      Reproduce the paper: run every available suite on every system it applies to, print
      each table in the paper's layout with the published value beside the simulated one,
      and write results.json and report.md to DIR (default: reproduction/). Independent
      systems run on N worker threads (default: one per core; the result is the same).
  l4lab lab run FILE.l4lab [--out FILE] [--full]
      Run every cell of a lab notebook without VS Code and write the notebook with its outputs
      to --out (default: print a summary only); exits 1 if a cell fails, 65 if FILE is malformed,
      69 if the lab needs a system or suite this build lacks (it is skipped, saying which).
  l4lab fuzz l4 [--ops N] [--seed S] [--json]
  l4lab fuzz linux --system S [--ops N] [--seed S] [--json] [--skip-missing]
      Random system calls with hostile arguments: on L4 from several tasks and threads, with
      the kernel's invariants checked after every operation; on a Linux system through its
      C library, each result checked against Linux 2.0's errno. Prints violations, engine
      exceptions and the shortest failing prefix; exits 1 on any. --skip-missing: exit 0 with
      a message when S is not a bootable system of this build.
  l4lab --help
      This text.

Options:
  --json            one JSON document on stdout
  --set NAME=VALUE  what-if override of a machine parameter (e.g. --set clockMHz=200,
                    --set taggedTlb=true, --set l2KB=512; also machine.NAME=VALUE)
  --set TABLE.NAME=VALUE
                    what-if override of a kernel's cost table: l4, linux (the personality),
                    native, l4linux, mach, mklinux (e.g. --set l4.ipcShortPathCycles=40,
                    --set linux.sysGetpid=40); for bench, boot and reproduce. Results record
                    every override and say WHAT-IF; 'l4lab parameters' lists the names
  --small-spaces on|off
                    what-if of l4linux and l4linux-trampoline: the Linux server in an L4
                    small address space (on, the paper's configuration and the default) or
                    in a large one (off: every IPC with the server switches page directory
                    and flushes the TLB); other systems ignore it
`;

function parse(argv: string[]): ParsedArguments {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      const takesValue = ['set', 'system', 'out', 'seed', 'scale', 'runs', 'ops', 'script', 'only', 'workers', 'small-spaces', 'table'].includes(name);
      const value = inline ?? (takesValue ? argv[++i] : 'true');
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

class UsageError extends Error {}

/** The `--set` what-ifs, checked (a bad name or value is a usage error naming the valid ones). */
function whatIfFrom(args: ParsedArguments): WhatIf {
  return resolveParameters(Object.fromEntries((args.flags.get('set') ?? []).map(parseParameterAssignment)));
}

/** The machine what-ifs of a command that measures or describes the machine alone. */
function machineOverridesFrom(args: ParsedArguments, command: string): MachineOverrides {
  const whatIf = whatIfFrom(args);
  const kernel = Object.keys(whatIf.overrides).filter((name) => !name.startsWith('machine.'));
  if (kernel.length > 0) throw new UsageError(`'${command}' concerns the machine alone; ${kernel.join(', ')} apply to bench SUITE, boot and reproduce (see 'l4lab parameters')`);
  return whatIf.machine;
}

/** `--small-spaces on|off` (the last one wins); undefined when absent (the substrate's default: on). */
function smallSpacesFrom(args: ParsedArguments): boolean | undefined {
  const raw = args.flags.get('small-spaces')?.at(-1);
  if (raw === undefined) return undefined;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new UsageError(`--small-spaces expects on or off, got '${raw}'`);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function machineCommand(args: ParsedArguments): void {
  const description = describeMachine(machineOverridesFrom(args, 'l4lab machine'));
  if (args.flags.has('json')) {
    printJson(description);
    return;
  }
  const lines = [description.summary, ''];
  const width = Math.max(...description.parameters.map((p) => p.name.length));
  for (const p of description.parameters) {
    const changed = p.value !== p.defaultValue ? ` (default ${p.defaultValue})` : '';
    lines.push(`${p.name.padEnd(width)}  ${String(p.value).padStart(9)} ${p.unit.padEnd(16)} ${p.description}${changed}`);
    lines.push(`${''.padEnd(width)}  ${''.padStart(9)} ${''.padEnd(16)} [${p.provenance}] ${p.source}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `l4lab parameters [--table T] [--json]`: every table's parameters, overridden ones marked. */
function parametersCommand(args: ParsedArguments): void {
  const whatIf = whatIfFrom(args);
  const rows = listParameters(whatIf, args.flags.get('table')?.at(-1));
  if (args.flags.has('json')) {
    printJson({ overrides: whatIf.overrides, parameters: rows });
    return;
  }
  const lines = [...whatIfBanner(whatIf.overrides), ''];
  const width = Math.max(...rows.map((row) => row.qualifiedName.length)) + 2;
  for (const table of PARAMETER_TABLES) {
    const ofTable = rows.filter((row) => row.table === table.prefix);
    if (ofTable.length === 0) continue;
    lines.push(`${table.prefix}: ${table.title} (${table.file}; used by ${table.usedBy})`);
    for (const row of ofTable) {
      const range = row.min !== undefined || row.max !== undefined ? ` [${row.min ?? ''}..${row.max ?? ''}]` : '';
      const changed = row.overridden ? ` (published ${String(row.defaultValue)})` : '';
      lines.push(`${row.overridden ? '*' : ' '} ${row.qualifiedName.padEnd(width)}${String(row.value).padStart(9)} ${row.unit.padEnd(14)} ${row.description}${range}${changed}`);
      lines.push(`  ${''.padEnd(width)}${''.padStart(9)} ${''.padEnd(14)} [${row.provenance}] ${row.source}`);
    }
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}`);
}

function benchCommand(args: ParsedArguments): void {
  const suite = args.positional[1];
  if (suite === 'machine') {
    const report = benchmarkMachine(machineOverridesFrom(args, 'l4lab bench machine'));
    if (args.flags.has('json')) printJson(report);
    else process.stdout.write(`${formatMachineBenchmark(report)}\n`);
    return;
  }
  if (suite === undefined) throw new UsageError(`bench needs a suite: machine, ${listSuites().map((s) => s.id).join(', ')}`);
  const systems = args.flags.get('system')?.flatMap((value) => value.split(','));
  const mode = args.flags.has('full') ? 'full' : 'quick';
  const json = args.flags.has('json');
  const scale = args.flags.get('scale')?.at(-1);
  const whatIf = whatIfFrom(args);
  const report = runSuite(suite, systems, {
    machine: whatIf.machine,
    kernels: whatIf.kernels,
    smallSpaces: smallSpacesFrom(args),
    mode,
    scale: scale === undefined ? undefined : Number(scale),
    progress: json || !process.stderr.isTTY ? undefined : (fraction, label) => process.stderr.write(`\r${progressBar(fraction)} ${label.padEnd(50).slice(0, 50)}`),
  });
  if (!json && process.stderr.isTTY) process.stderr.write('\r'.padEnd(80) + '\r');
  if (json) printJson(report);
  else process.stdout.write(`${formatSuiteReport(report)}\n`);
}

function progressBar(fraction: number): string {
  const width = 24;
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
}

/** The plain-text table of a suite: simulated beside published, with the difference. */
export function formatSuiteReport(report: SuiteReport): string {
  const lines = [`Suite ${report.suite} — ${report.machine}`, ...whatIfBanner(report.overrides), ''];
  lines.push(`${'system'.padEnd(20)} ${'benchmark'.padEnd(26)} ${'simulated'.padStart(14)} ${'paper'.padStart(12)} ${'diff'.padStart(8)}`);
  for (const r of report.results) {
    const diff = r.paper === null || r.paper === 0 ? '' : `${r.value >= r.paper ? '+' : ''}${(((r.value - r.paper) / r.paper) * 100).toFixed(1)}%`;
    const paper = r.paper === null ? '-' : `${r.paper} ${r.unit}`;
    const benchmark = r.benchmark + (r.load !== undefined ? ` (load ${r.load})` : '') + (r.scale !== undefined ? ` (scale ${r.scale})` : '');
    lines.push(`${r.system.padEnd(20)} ${benchmark.padEnd(26)} ${`${round(r.value)} ${r.unit}`.padStart(14)} ${paper.padStart(12)} ${diff.padStart(8)}`);
    const top = Object.entries(r.breakdown).filter(([, v]) => (v ?? 0) > 0).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).slice(0, 4);
    if (top.length > 0) lines.push(`${''.padEnd(20)}   cycles/op: ${top.map(([k, v]) => `${k} ${round(v ?? 0)}`).join(', ')}`);
  }
  return lines.join('\n');
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

async function reproduceCommand(args: ParsedArguments): Promise<void> {
  const json = args.flags.has('json');
  const mode = args.flags.has('full') ? 'full' : 'quick';
  const outDir = path.resolve(args.flags.get('out')?.at(-1) ?? 'reproduction');
  const systems = args.flags.get('system')?.flatMap((value) => value.split(','));
  for (const system of systems ?? []) if (!isSystemId(system)) throw new UsageError(`unknown system '${system}'`);
  const started = Date.now();
  const tty = process.stderr.isTTY === true && !json;
  // without a terminal (a log, CI) each suite and system is announced once, however the workers interleave
  const announced = new Set<string>();
  const workers = args.flags.get('workers')?.at(-1);
  const whatIf = whatIfFrom(args);
  const reproduction = await reproduceInParallel({
    workers: workers === undefined ? undefined : Number(workers),
    mode,
    machine: whatIf.machine,
    kernels: whatIf.kernels,
    systems: systems as SystemId[] | undefined,
    progress: (suite, fraction, label) => {
      if (json) return;
      const key = `${suite}: ${label.split(':')[0]}`;
      if (tty) process.stderr.write(`\r${suite.padEnd(18)} ${progressBar(fraction)} ${label.padEnd(40).slice(0, 40)}`);
      else if (!announced.has(key)) process.stderr.write(`[reproduce] ${key}\n`);
      announced.add(key);
      if (tty && fraction >= 1) process.stderr.write('\n');
    },
  });
  const machineReport = benchmarkMachine(whatIf.machine);
  fs.mkdirSync(outDir, { recursive: true });
  writeAtomically(path.join(outDir, 'results.json'), `${JSON.stringify({ ...reproduction, machineReport }, null, 2)}\n`);
  writeAtomically(path.join(outDir, 'report.md'), `${markdownReproduction(reproduction)}\n## The machine model\n\n\`\`\`\n${formatMachineBenchmark(machineReport)}\n\`\`\`\n`);
  if (json) {
    printJson({ machine: reproduction.machine, mode, records: reproduction.records, missing: reproduction.missing, ...(reproduction.overrides ? { overrides: reproduction.overrides } : {}) });
    return;
  }
  process.stdout.write(`${formatReproduction(reproduction)}\n\nThe machine model under all of it:\n${formatMachineBenchmark(machineReport)}\n`);
  process.stdout.write(`\nWrote ${path.relative(process.cwd(), path.join(outDir, 'results.json')) || 'results.json'} and report.md (${((Date.now() - started) / 1000).toFixed(1)} s host time).\n`);
}

/** Writes through a temporary file and a rename, so an error never leaves a truncated file. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/** `l4lab boot SYSTEM`: the script mode returns the exit status; interactive mode runs on stdin. */
function bootCommand(args: ParsedArguments): number | Promise<number> {
  const system = args.positional[1];
  if (system === undefined) throw new UsageError(`boot needs a system: ${bootableLinuxSystems().join(', ')}`);
  const script = args.flags.get('script')?.[0];
  const files: Record<string, Uint8Array> = {};
  if (script !== undefined) files['/tmp/script.sh'] = fs.readFileSync(script);
  const whatIf = whatIfFrom(args);
  const linux = bootSystem(system, { ...whatIf.kernels, parameters: whatIf.machine, smallSpaces: smallSpacesFrom(args), files, initArgs: script !== undefined ? ['sh', '/tmp/script.sh'] : [] });
  for (const line of whatIfBanner(whatIf.overrides)) process.stdout.write(`[${line}]\n`);
  for (const line of linux.bootLog) process.stdout.write(`${line}\n`);
  linux.machine.console.onOutput((text) => process.stdout.write(text));
  const clock = linux.machine.parameters.clockMHz * 1e6;
  const finish = (outcome: string): number => {
    if (outcome === 'failed') {
      process.stderr.write(`l4lab: the simulation failed: ${String(linux.failure)}\n`);
      return 70;
    }
    const seconds = linux.machine.scheduler.now / clock;
    process.stderr.write(`[system halted after ${seconds.toFixed(3)} simulated seconds, status ${linux.exitStatus}]\n`);
    return linux.exitStatus ?? 1;
  };
  if (script !== undefined) {
    const outcome = linux.run(3600 * clock);
    if (outcome === 'waitingForInput') {
      linux.type('\u0004');
      return finish(linux.run(3600 * clock));
    }
    return finish(outcome);
  }
  return new Promise<number>((resolve) => {
    const stdin = process.stdin;
    const raw = stdin.isTTY === true;
    if (raw) stdin.setRawMode(true);
    let done = false;
    const step = (): void => {
      if (done) return;
      const outcome = linux.run(clock / 10);
      if (outcome === 'halted' || outcome === 'failed') {
        done = true;
        if (raw) stdin.setRawMode(false);
        stdin.pause();
        resolve(finish(outcome));
        return;
      }
      if (outcome === 'waitingForInput') return; // resumed by the next input
      setImmediate(step);
    };
    stdin.on('data', (data: Buffer) => {
      const text = data.toString('utf8');
      if (raw && text.includes('\u001d')) {
        // Ctrl-] leaves the simulator (Ctrl-C belongs to the guest), as telnet's escape does
        done = true;
        stdin.setRawMode(false);
        stdin.pause();
        process.stderr.write('\n[left the simulation]\n');
        resolve(130);
        return;
      }
      linux.type(text);
      setImmediate(step);
    });
    stdin.on('end', () => {
      linux.type('\u0004');
      setImmediate(step);
    });
    step();
  });
}

/** `l4lab lab run FILE [--out FILE]`: runs every code cell; non-zero when a cell fails. */
function labCommand(args: ParsedArguments): number {
  const file = args.positional[2];
  if (args.positional[1] !== 'run' || file === undefined) throw new UsageError('usage: l4lab lab run FILE.l4lab [--out FILE]');
  let notebook;
  try {
    notebook = parseLabNotebook(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if (!(error instanceof LabFormatError)) throw error;
    process.stderr.write(`l4lab: ${file} is not a valid lab notebook: ${error.message}\n`);
    return 65;
  }
  const started = Date.now();
  const { notebook: done, ok, skipped } = runLabNotebook(notebook, path.basename(file), args.flags.has('full') ? 'full' : 'quick', (index, _cell, result) => {
    process.stdout.write(`[${result.success ? 'ok' : result.unavailable !== undefined ? 'skipped' : 'FAILED'}] cell ${index + 1} (${result.outputs.length} outputs)\n`);
    if (!result.success && result.unavailable === undefined) for (const output of result.outputs) for (const item of output.items) if (item.mime === 'text/plain') process.stderr.write(`${String(item.data)}\n`);
  });
  const out = args.flags.get('out')?.[0];
  if (out !== undefined) {
    const temporary = `${out}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, serializeLabNotebook(done));
    fs.renameSync(temporary, out);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (skipped !== undefined && ok) {
    // EX_UNAVAILABLE: the lab needs a system or suite this engine build lacks (lab.require)
    process.stdout.write(`${path.basename(file)}: skipped after ${seconds} s: ${skipped}\n`);
    return 69;
  }
  process.stdout.write(`${path.basename(file)}: ${ok ? 'all cells passed' : 'a cell failed'} in ${seconds} s\n`);
  return ok ? 0 : 1;
}

/** A whole-number option (`--ops`, `--seed`) or its default. */
function wholeNumber(args: ParsedArguments, name: string, fallback: number): number {
  const raw = args.flags.get(name)?.at(-1);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name} expects a whole number, got '${raw}'`);
  return value;
}

/** `l4lab fuzz l4|linux`: exits 1 when an invariant broke or the engine threw. */
function fuzzCommand(args: ParsedArguments): number {
  const target = args.positional[1];
  const ops = wholeNumber(args, 'ops', 10000);
  const seed = wholeNumber(args, 'seed', 1);
  const started = Date.now();
  let report: FuzzReport;
  if (target === 'l4') report = runL4Fuzz({ ops, seed });
  else if (target === 'linux') {
    const system = args.flags.get('system')?.at(-1);
    if (system === undefined) throw new UsageError(`fuzz linux needs --system: ${bootableLinuxSystems().join(', ')}`);
    if (args.flags.has('skip-missing') && !bootableLinuxSystems().includes(system)) {
      process.stderr.write(`l4lab: skipped: '${system}' is not a bootable system of this build (available: ${bootableLinuxSystems().join(', ')})\n`);
      return 0;
    }
    report = runLinuxFuzz({ system, ops, seed });
  } else throw new UsageError('fuzz needs a target: l4 or linux');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (args.flags.has('json')) {
    printJson(report);
    process.stderr.write(`[fuzz ${report.system}: ${report.ops} operations in ${seconds} s host time]\n`);
  } else process.stdout.write(`${formatFuzzReport(report)}\n  host time: ${seconds} s\n`);
  return report.violations.length + report.engineExceptions.length > 0 ? 1 : 0;
}

function main(argv: string[]): number | Promise<number> {
  const args = parse(argv);
  const command = args.positional[0];
  if (command === undefined || args.flags.has('help') || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  switch (command) {
    case 'machine':
      machineCommand(args);
      return 0;
    case 'parameters':
      parametersCommand(args);
      return 0;
    case 'bench':
      if (args.positional[1] === 'sim') return simBenchCommand(args.flags);
      benchCommand(args);
      return 0;
    case 'reproduce':
      return reproduceCommand(args).then(() => 0);
    case 'boot':
      return bootCommand(args);
    case 'lab':
      return labCommand(args);
    case 'fuzz':
      return fuzzCommand(args);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/**
 * Usage mistakes end with status 2 and a hint; anything else (a guest that did not complete, an
 * engine bug) ends with status 1 and the error's stack, for a bug report, without Node's
 * uncaught-exception noise.
 */
function fail(error: unknown): void {
  if (error instanceof UsageError || error instanceof RangeError || error instanceof TypeError) {
    // a machine too small for the system is a configuration error: the message says what to change
    process.stderr.write(`l4lab: ${error.message}\n${error instanceof MemoryTooSmallError ? '' : "Try 'l4lab --help'.\n"}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`l4lab: the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}

// a reader that stops early (`l4lab boot ... | head`) closes the pipe: end quietly, as Unix tools do
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

try {
  const result = main(process.argv.slice(2));
  if (typeof result === 'number') process.exitCode = result;
  else void result.then((status) => {
    process.exitCode = status;
  }, fail);
} catch (error) {
  fail(error);
}
