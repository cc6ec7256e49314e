/**
 * `l4lab bench sim`: the speed of the simulator itself (issue 10). Each workload runs after a
 * warm-up, several times in this process; the median host time gives host throughput and the
 * real-time factor (simulated seconds per host second). The digest of the simulated results must
 * not change when the simulator is optimized.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { digest, listSimWorkloads } from '../../bench/simWorkloads';

export interface SimBenchFigure {
  readonly id: string;
  readonly title: string;
  readonly operationName: string;
  readonly operationsPerHostSecond: number;
  readonly realTimeFactor: number;
  readonly medianHostSeconds: number;
  readonly simulatedSeconds: number;
  readonly runs: number;
}

export interface SimBenchReport {
  readonly host: { readonly node: string; readonly cpu: string; readonly cores: number };
  readonly figures: SimBenchFigure[];
  readonly peakMemoryMB: number;
  readonly digest: string;
}

export function runSimBench(options: { runs?: number; scale?: number } = {}): SimBenchReport {
  const runs = options.runs ?? 5;
  const scale = options.scale ?? 1;
  const figures: SimBenchFigure[] = [];
  const fingerprints: string[] = [];
  let peak = process.memoryUsage().rss;
  for (const workload of listSimWorkloads()) {
    workload.run(scale / 4); // warm-up: JIT and caches
    const times: number[] = [];
    let last = workload.run(0);
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      last = workload.run(scale);
      times.push((performance.now() - start) / 1000);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const simulatedSeconds = last.simulatedCycles / (workload.clockMHz * 1e6);
    fingerprints.push(`${workload.id}:${last.simulatedCycles}:${last.operations}:${last.fingerprint}`);
    figures.push({
      id: workload.id,
      title: workload.title,
      operationName: last.operationName,
      operationsPerHostSecond: Math.round(last.operations / median),
      realTimeFactor: Math.round((simulatedSeconds / median) * 1000) / 1000,
      medianHostSeconds: Math.round(median * 10000) / 10000,
      simulatedSeconds: Math.round(simulatedSeconds * 1e6) / 1e6,
      runs,
    });
  }
  const cpus = os.cpus();
  return {
    host: { node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length },
    figures,
    peakMemoryMB: Math.round(peak / 1048576),
    digest: digest(fingerprints.join('\n')),
  };
}

export function formatSimBench(report: SimBenchReport): string {
  const lines = [`Simulator speed — Node ${report.host.node}, ${report.host.cpu} (${report.host.cores} cores)`, ''];
  lines.push(`${'workload'.padEnd(46)} ${'ops/host s'.padStart(14)} ${'real-time factor'.padStart(17)} ${'median s'.padStart(9)}`);
  for (const f of report.figures) {
    lines.push(`${f.title.padEnd(46)} ${f.operationsPerHostSecond.toLocaleString('en-US').padStart(14)} ${f.realTimeFactor.toFixed(3).padStart(17)} ${f.medianHostSeconds.toFixed(3).padStart(9)}`);
    lines.push(`${''.padEnd(46)} (${f.operationName}; ${f.runs} runs, median)`);
  }
  lines.push('', `peak memory ${report.peakMemoryMB} MB; digest of simulated results ${report.digest}`);
  return lines.join('\n');
}
