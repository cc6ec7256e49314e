/**
 * `l4lab bench sim`: the speed of the simulator itself (issue 10). Each workload runs after a
 * warm-up, several times in one process; the median host time of its measured window gives host
 * throughput and the real-time factor (simulated seconds per host second). The CLI gives every
 * workload a process of its own (as JMH forks a JVM per benchmark): in a shared process the
 * workloads that ran before leave V8's type feedback and compiled code shaped by them, which
 * moved e.g. the small-space IPC figure by ±30% depending on the order. Then a reproduction of
 * the paper is timed as a whole. The digests of the simulated results must not change when the
 * simulator is optimized.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Reproduction } from '../../bench/reproduce';
import { digest, listSimWorkloads, type HostWindowProbe, type SimWorkload } from '../../bench/simWorkloadSet';
import { reproduceInParallel } from './parallelReproduce';

export interface SimBenchFigure {
  readonly id: string;
  readonly title: string;
  readonly operationName: string;
  readonly operationsPerHostSecond: number;
  /** Simulated seconds per host second: ≥ 1 means faster than the real machine. */
  readonly realTimeFactor: number;
  readonly medianHostSeconds: number;
  /** The same from this process's CPU time (user + system): steadier on a shared host. */
  readonly realTimeFactorCpu: number;
  readonly medianCpuSeconds: number;
  readonly simulatedSeconds: number;
  readonly runs: number;
}

/** One workload's figure and the fingerprint of its simulated result. */
export interface MeasuredWorkload {
  readonly figure: SimBenchFigure;
  readonly fingerprint: string;
  /** Peak resident set of the process that measured it, when that was not this one. */
  readonly peakMemoryMB?: number;
}

/** Host time of one whole reproduction (`l4lab reproduce --quick` / `--full`). */
export interface ReproductionTiming {
  readonly mode: 'quick' | 'full';
  readonly hostSeconds: number;
  readonly records: number;
  /** Digest of the reproduction's records (identical for sequential and parallel runs). */
  readonly digest: string;
}

export interface SimBenchReport {
  readonly host: { readonly node: string; readonly cpu: string; readonly cores: number };
  readonly figures: SimBenchFigure[];
  readonly reproductions: ReproductionTiming[];
  /** Peak resident set (process.resourceUsage().maxRSS) of this process or, if larger, of a workload's own process. */
  readonly peakMemoryMB: number;
  /** Digest of the workloads' simulated results. */
  readonly digest: string;
  /** Each workload's simulated result (`id:cycles:operations:breakdown`), which the digest covers. */
  readonly fingerprints: string[];
}

export interface SimBenchOptions {
  /** Timed runs per workload (the median is reported); default 5. */
  readonly runs?: number;
  /** Size of each workload (1 = standard). */
  readonly scale?: number;
  /** Workload ids to run (default: all). */
  readonly only?: readonly string[];
  /** Reproductions to time (default: quick only); an empty list skips them. */
  readonly reproductions?: ReadonlyArray<'quick' | 'full'>;
  /**
   * Measures one workload somewhere else (the CLI: in a child process) instead of in this
   * process; gets the workload id, returns its figure and fingerprint.
   */
  readonly isolate?: (id: string) => Promise<MeasuredWorkload>;
  /** Runs a reproduction (the CLI passes its parallel runner). */
  readonly reproduce?: (mode: 'quick' | 'full') => Reproduction | Promise<Reproduction>;
}

/** Process CPU time (user + system) in seconds. */
function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** A probe that records wall and CPU time between the workload's begin() and end(). */
class WindowTimer implements HostWindowProbe {
  private started = Number.NaN;
  private startedCpu = Number.NaN;
  seconds = Number.NaN;
  cpu = Number.NaN;

  begin(): void {
    this.started = performance.now();
    this.startedCpu = cpuSeconds();
  }

  end(): void {
    this.seconds = (performance.now() - this.started) / 1000;
    this.cpu = cpuSeconds() - this.startedCpu;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times `workload` in this process: a warm-up, then the median of `runs` measured windows. */
function measure(workload: SimWorkload, runs: number, scale: number): MeasuredWorkload {
  workload.run(scale / 4); // warm-up: JIT and caches
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let last = workload.run(0);
  for (let i = 0; i < runs; i++) {
    const timer = new WindowTimer();
    timer.begin();
    last = workload.run(scale, timer);
    if (Number.isNaN(timer.seconds)) timer.end();
    times.push(timer.seconds);
    cpuTimes.push(timer.cpu);
  }
  const hostSeconds = median(times);
  const cpu = median(cpuTimes);
  const simulatedSeconds = last.simulatedCycles / (workload.clockMHz * 1e6);
  return {
    fingerprint: `${workload.id}:${last.simulatedCycles}:${last.operations}:${last.fingerprint}`,
    figure: {
      id: workload.id,
      title: workload.title,
      operationName: last.operationName,
      operationsPerHostSecond: Math.round(last.operations / hostSeconds),
      realTimeFactor: Math.round((simulatedSeconds / hostSeconds) * 1000) / 1000,
      medianHostSeconds: Math.round(hostSeconds * 10000) / 10000,
      realTimeFactorCpu: Math.round((simulatedSeconds / cpu) * 1000) / 1000,
      medianCpuSeconds: Math.round(cpu * 10000) / 10000,
      simulatedSeconds: Math.round(simulatedSeconds * 1e6) / 1e6,
      runs,
    },
  };
}

/** Runs the benchmark; see {@link SimBenchOptions}. */
export async function runSimBench(options: SimBenchOptions = {}): Promise<SimBenchReport> {
  const runs = Math.max(1, options.runs ?? 5);
  const scale = options.scale ?? 1;
  const figures: SimBenchFigure[] = [];
  const fingerprints: string[] = [];
  let childPeakMB = 0;
  for (const workload of listSimWorkloads()) {
    if (options.only !== undefined && !options.only.includes(workload.id)) continue;
    const measured = options.isolate !== undefined ? await options.isolate(workload.id) : measure(workload, runs, scale);
    figures.push(measured.figure);
    fingerprints.push(measured.fingerprint);
    childPeakMB = Math.max(childPeakMB, measured.peakMemoryMB ?? 0);
  }
  const reproductions: ReproductionTiming[] = [];
  if (options.reproduce !== undefined) {
    for (const mode of options.reproductions ?? ['quick']) {
      const start = performance.now();
      const reproduction = await options.reproduce(mode);
      const hostSeconds = (performance.now() - start) / 1000;
      reproductions.push({ mode, hostSeconds: Math.round(hostSeconds * 100) / 100, records: reproduction.records.length, digest: digest(JSON.stringify(reproduction.records)) });
    }
  }
  const cpus = os.cpus();
  return {
    host: { node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length },
    figures,
    reproductions,
    peakMemoryMB: Math.max(childPeakMB, Math.round(process.resourceUsage().maxRSS / 1024)),
    digest: digest(fingerprints.join('\n')),
    fingerprints,
  };
}

export function formatSimBench(report: SimBenchReport): string {
  const lines = [`Simulator speed — Node ${report.host.node}, ${report.host.cpu} (${report.host.cores} cores)`, ''];
  lines.push(`${'workload'.padEnd(46)} ${'ops/host s'.padStart(14)} ${'real-time factor'.padStart(17)} ${'median s'.padStart(9)} ${'(CPU time)'.padStart(11)}`);
  for (const f of report.figures) {
    const cpu = `(${f.realTimeFactorCpu.toFixed(3)})`;
    lines.push(`${f.title.padEnd(46)} ${f.operationsPerHostSecond.toLocaleString('en-US').padStart(14)} ${f.realTimeFactor.toFixed(3).padStart(17)} ${f.medianHostSeconds.toFixed(3).padStart(9)} ${cpu.padStart(11)}`);
    lines.push(`${''.padEnd(46)} (${f.operationName}; ${f.simulatedSeconds} simulated s; median of ${f.runs} runs)`);
  }
  for (const r of report.reproductions) {
    lines.push('', `l4lab reproduce --${r.mode}: ${r.hostSeconds.toFixed(2)} host s, ${r.records} records, digest ${r.digest}`);
  }
  lines.push('', `peak memory ${report.peakMemoryMB} MB; digest of simulated results ${report.digest}`);
  return lines.join('\n');
}

/**
 * Measures workload `id` in a child process of this CLI (`bench sim --only ID --in-process
 * --json`), so that it starts from fresh JIT state whatever ran before it.
 */
function measureInChild(id: string, runs: number, scale: number): Promise<MeasuredWorkload> {
  const args = [...process.execArgv, process.argv[1], 'bench', 'sim', '--only', id, '--in-process', '--no-reproduce', '--json', '--runs', String(runs), '--scale', String(scale)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`bench sim: workload ${id} failed in its child process: ${stderr.trim() || error.message}`));
        return;
      }
      const child = JSON.parse(stdout) as SimBenchReport;
      if (child.figures.length !== 1 || child.fingerprints.length !== 1) {
        reject(new Error(`bench sim: the child process for ${id} measured ${child.figures.length} workloads`));
        return;
      }
      resolve({ figure: child.figures[0], fingerprint: child.fingerprints[0], peakMemoryMB: child.peakMemoryMB });
    });
  });
}

/**
 * `l4lab bench sim [--json] [--runs N] [--scale X] [--only ID,...] [--full] [--no-reproduce]
 * [--workers N] [--in-process]`: runs the benchmark and prints it; each workload in a process of
 * its own unless `--in-process`. Returns the exit status.
 */
export async function simBenchCommand(flags: ReadonlyMap<string, string[]>): Promise<number> {
  const last = (name: string) => flags.get(name)?.at(-1);
  const workers = last('workers') === undefined ? undefined : Number(last('workers'));
  const runs = Number(last('runs') ?? 5);
  const scale = Number(last('scale') ?? 1);
  const only = flags.get('only')?.flatMap((value) => value.split(','));
  const known = listSimWorkloads().map((workload) => workload.id);
  const unknown = only?.filter((id) => !known.includes(id)) ?? [];
  // a usage mistake (RangeError: status 2), not an empty table
  if (unknown.length > 0) throw new RangeError(`bench sim: unknown workload ${unknown.join(', ')}; the workloads are ${known.join(', ')}`);
  const report = await runSimBench({
    runs,
    scale,
    only,
    isolate: flags.has('in-process') ? undefined : (id) => measureInChild(id, runs, scale),
    reproductions: flags.has('no-reproduce') ? [] : flags.has('full') ? ['quick', 'full'] : ['quick'],
    reproduce: (mode) => reproduceInParallel({ mode, workers }),
  });
  if (flags.has('json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatSimBench(report)}\n`);
  return 0;
}
