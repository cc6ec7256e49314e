import { CATEGORY_LABEL, CYCLE_CATEGORIES, type CycleBreakdown, type CycleCategory } from '../base/cycleCategory';
import { LINUX_SYSTEMS, type ResultRecord, type SystemId } from './records';

/** A system's cycles compared with native Linux's over the benchmarks both ran. */
export interface CycleComparison {
  readonly system: SystemId;
  readonly benchmarks: number;
  /** Mean of (system cycles / native cycles) − 1 over the benchmarks. */
  readonly meanExtra: number;
  /** Mean extra cycles per category, as a fraction of native Linux's total. */
  readonly extraByCategory: ReadonlyArray<readonly [CycleCategory, number]>;
  /** Compile: user share of native Linux's cycles and the system's slowdown, if both ran it. */
  readonly compile: { readonly userShare: number; readonly slowdown: number; readonly extra: number } | null;
}

function total(breakdown: CycleBreakdown): number {
  return Object.values(breakdown).reduce<number>((a, b) => a + (b ?? 0), 0);
}

function pct(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%`;
}

/** Compares `system` with native Linux over the records of `suites`. */
export function compareWithNative(records: readonly ResultRecord[], system: SystemId, suites: readonly string[]): CycleComparison | null {
  const extra = new Map<CycleCategory, number>();
  let compared = 0;
  let ratioSum = 0;
  for (const record of records.filter((r) => r.system === system && suites.includes(r.suite))) {
    const base = records.find((r) => r.system === 'linux' && r.suite === record.suite && r.benchmark === record.benchmark && r.load === record.load);
    const baseTotal = base === undefined ? 0 : total(base.breakdown);
    if (base === undefined || baseTotal <= 0) continue;
    compared++;
    ratioSum += total(record.breakdown) / baseTotal - 1;
    for (const category of CYCLE_CATEGORIES) extra.set(category, (extra.get(category) ?? 0) + ((record.breakdown[category] ?? 0) - (base.breakdown[category] ?? 0)) / baseTotal);
  }
  if (compared === 0) return null;
  const extraByCategory = [...extra].map(([c, v]) => [c, v / compared] as const).sort((a, b) => b[1] - a[1]);
  const mine = records.find((r) => r.system === system && r.benchmark === 'compile.seconds');
  const native = records.find((r) => r.system === 'linux' && r.benchmark === 'compile.seconds');
  const nativeTotal = native ? total(native.breakdown) : 0;
  const compile = mine && native && nativeTotal > 0
    ? { userShare: (native.breakdown.user ?? 0) / nativeTotal, slowdown: mine.value / native.value, extra: (total(mine.breakdown) - nativeTotal) / nativeTotal }
    : null;
  return { system, benchmarks: compared, meanExtra: ratioSum / compared, extraByCategory, compile };
}

/**
 * "Where the cycles went", as Markdown paragraphs generated from the records: for each Linux
 * system, which categories its extra cycles against native Linux fall into, how the compile
 * benchmark's user share dilutes them, and the systems ranked by their mean extra cycles.
 */
export function cycleNarrative(records: readonly ResultRecord[], suites: readonly string[], label: (system: SystemId) => string): string[] {
  const comparisons = LINUX_SYSTEMS.filter((s) => s !== 'linux').map((s) => compareWithNative(records, s, suites)).filter((c): c is CycleComparison => c !== null);
  if (comparisons.length === 0) return [];
  const lines = ['## Where the cycles went', '', `Each system against native Linux over the ${suites.join(', ')} benchmarks both ran; percentages are of native Linux's cycles for the same benchmark.`, ''];
  for (const c of comparisons) {
    const more = c.extraByCategory.filter(([, v]) => v >= 0.005).slice(0, 4);
    const less = c.extraByCategory.filter(([, v]) => v <= -0.005).slice(-2);
    lines.push(`### ${label(c.system)}`, '');
    lines.push(`Over ${c.benchmarks} benchmarks, ${label(c.system)} needs on average ${pct(c.meanExtra)} cycles against native Linux.` +
      (more.length > 0 ? ` The extra cycles go to ${more.map(([k, v]) => `${CATEGORY_LABEL[k]} (${pct(v)})`).join(', ')}.` : '') +
      (less.length > 0 ? ` It spends less on ${less.map(([k, v]) => `${CATEGORY_LABEL[k]} (${pct(v)})`).join(', ')}.` : ''));
    if (c.compile !== null) {
      lines.push('', `In the compile benchmark user code is ${(c.compile.userShare * 100).toFixed(0)}% of native Linux's cycles, so ${label(c.system)}'s ${pct(c.compile.extra)} of cycles becomes a slowdown of ${c.compile.slowdown.toFixed(3)}×.`);
    }
    lines.push('');
  }
  const ranked = [...comparisons].sort((a, b) => a.meanExtra - b.meanExtra);
  const closest = ranked[0];
  const farthest = ranked[ranked.length - 1];
  lines.push(`Ranked by mean extra cycles: ${ranked.map((c) => `${label(c.system)} ${pct(c.meanExtra)}`).join(', ')}.`);
  if (closest !== farthest) {
    const gap = CYCLE_CATEGORIES.map((k) => [k, (farthest.extraByCategory.find(([c]) => c === k)?.[1] ?? 0) - (closest.extraByCategory.find(([c]) => c === k)?.[1] ?? 0)] as const).sort((a, b) => b[1] - a[1]).slice(0, 3);
    lines.push(`${label(farthest.system)} is farther from native Linux than ${label(closest.system)} mainly by ${gap.map(([k, v]) => `${CATEGORY_LABEL[k]} (${pct(v)})`).join(', ')}: the cost each system call, fault and context switch pays to reach the Linux server.`);
  }
  lines.push('');
  return lines;
}
