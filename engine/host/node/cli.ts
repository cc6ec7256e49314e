/**
 * `l4lab`: the engine on the command line (DESIGN.md §8). The only engine code besides the worker
 * that may use Node. `--json` prints exactly one JSON document on stdout and nothing else.
 */
import { benchmarkMachine, describeMachine, formatMachineBenchmark, listSuites, runSuite, type MachineOverrides, type SuiteReport } from '../../api';

interface ParsedArguments {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

const HELP = `l4lab — the L4 Lab simulator on the command line

Usage:
  l4lab machine [--json] [--set NAME=VALUE ...]
      Print the simulated machine's configuration: every parameter with its unit and source.
  l4lab bench machine [--json] [--set NAME=VALUE ...]
      Measure the machine model: copy/read/write bandwidth in L1, L2 and DRAM, TLB miss and
      refill costs, beside the 1996 lmbench i586 figures and SOSP'97's 25-cycle TLB miss.
  l4lab bench SUITE [--system S[,S...]] [--json] [--full] [--set NAME=VALUE ...]
      Run a benchmark suite of benchmarks.md on some systems (default: every system it
      supports); the paper's value beside each simulated one. Systems: linux, l4linux,
      l4linux-trampoline, mklinux-kernel, mklinux-user, l4.
  l4lab reproduce
      Reproduce the paper's tables. Today: runs what exists (the machine report) and lists
      the suites still to come.
  l4lab --help
      This text.

Options:
  --json            one JSON document on stdout
  --set NAME=VALUE  what-if override of a machine parameter (e.g. --set clockMHz=200,
                    --set taggedTlb=true, --set l2KB=512); see 'l4lab machine' for names
`;

function parse(argv: string[]): ParsedArguments {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      const takesValue = name === 'set' || name === 'system' || name === 'out' || name === 'seed' || name === 'scale';
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

function overridesFrom(args: ParsedArguments): MachineOverrides {
  const overrides: Record<string, number | boolean> = {};
  for (const assignment of args.flags.get('set') ?? []) {
    const match = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(assignment);
    if (!match) throw new UsageError(`--set expects NAME=VALUE, got '${assignment}'`);
    const [, name, raw] = match;
    if (raw === 'true' || raw === 'false') overrides[name] = raw === 'true';
    else if (Number.isFinite(Number(raw))) overrides[name] = Number(raw);
    else throw new UsageError(`--set ${name}: '${raw}' is neither a number nor true/false`);
  }
  return overrides as MachineOverrides;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function machineCommand(args: ParsedArguments): void {
  const description = describeMachine(overridesFrom(args));
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

function benchCommand(args: ParsedArguments): void {
  const suite = args.positional[1];
  if (suite === 'machine') {
    const report = benchmarkMachine(overridesFrom(args));
    if (args.flags.has('json')) printJson(report);
    else process.stdout.write(`${formatMachineBenchmark(report)}\n`);
    return;
  }
  if (suite === undefined) throw new UsageError(`bench needs a suite: machine, ${listSuites().map((s) => s.id).join(', ')}`);
  const systems = args.flags.get('system')?.flatMap((value) => value.split(','));
  const mode = args.flags.has('full') ? 'full' : 'quick';
  const json = args.flags.has('json');
  const report = runSuite(suite, systems, {
    machine: overridesFrom(args),
    mode,
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
  const lines = [`Suite ${report.suite} — ${report.machine}`, ''];
  lines.push(`${'system'.padEnd(20)} ${'benchmark'.padEnd(26)} ${'simulated'.padStart(14)} ${'paper'.padStart(12)} ${'diff'.padStart(8)}`);
  for (const r of report.results) {
    const diff = r.paper === null || r.paper === 0 ? '' : `${r.value >= r.paper ? '+' : ''}${(((r.value - r.paper) / r.paper) * 100).toFixed(1)}%`;
    const paper = r.paper === null ? '-' : `${r.paper} ${r.unit}`;
    lines.push(`${r.system.padEnd(20)} ${r.benchmark.padEnd(26)} ${`${round(r.value)} ${r.unit}`.padStart(14)} ${paper.padStart(12)} ${diff.padStart(8)}`);
    const top = Object.entries(r.breakdown).filter(([, v]) => (v ?? 0) > 0).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).slice(0, 4);
    if (top.length > 0) lines.push(`${''.padEnd(20)}   cycles/op: ${top.map(([k, v]) => `${k} ${round(v ?? 0)}`).join(', ')}`);
  }
  return lines.join('\n');
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

function reproduceCommand(args: ParsedArguments): void {
  const report = benchmarkMachine(overridesFrom(args));
  if (args.flags.has('json')) {
    printJson({ suites: { machine: report }, pending: ['getpid', 'pipe', 'lmbench', 'hbench', 'compile', 'aim', 'vm', 'cache-partitioning'] });
    return;
  }
  process.stdout.write(
    'L4 Lab reproduction of SOSP\'97 — what runs today\n\n' +
      'The kernels (L4, Linux, L4Linux, MkLinux) are not built yet, so the paper\'s tables cannot be\n' +
      'reproduced yet. The simulated machine they will run on:\n\n' +
      `${formatMachineBenchmark(report)}\n\n` +
      'Still to come: getpid (Table 2, Figure 5), pipe/RPC (Table 4), lmbench (Figure 6), hbench,\n' +
      'compile, AIM, vm (Table 5), cache partitioning.\n',
  );
}

function main(argv: string[]): number {
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
    case 'bench':
      benchCommand(args);
      return 0;
    case 'reproduce':
      reproduceCommand(args);
      return 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || error instanceof RangeError || error instanceof TypeError) {
    process.stderr.write(`l4lab: ${error.message}\nTry 'l4lab --help'.\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
