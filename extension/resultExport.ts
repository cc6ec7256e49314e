// Export of benchmark results to CSV (RFC 4180) and Markdown: pure functions, unit-tested in
// plain Node (test/unit/extension/resultExport.test.ts). The panel's export buttons and the
// l4lab.exportResults command write their output.

import type { PanelRecord } from '../webview/panelProtocol';

/** Difference of a simulated value from the published one, in percent; null without a paper value. */
export function differencePercent(record: Pick<PanelRecord, 'value' | 'paper'>): number | null {
  if (record.paper === null || record.paper === 0) return null;
  return ((record.value - record.paper) / record.paper) * 100;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const numberText = (value: number | null, digits = 3): string => (value === null ? '' : String(Number(value.toFixed(digits))));

/** Every category that occurs in the breakdowns, in first-seen order. */
function categoriesOf(records: readonly PanelRecord[]): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const category of Object.keys(record.breakdown)) seen.add(category);
  return [...seen];
}

/** One row per record: suite, system, benchmark, unit, simulated, paper, difference %, then cycles per category. */
export function recordsToCsv(records: readonly PanelRecord[]): string {
  const categories = categoriesOf(records);
  const header = ['suite', 'system', 'benchmark', 'unit', 'simulated', 'paper', 'difference_percent', ...categories.map(category => `cycles_${category}`)];
  const rows = records.map(record => [
    record.suite,
    record.system,
    record.benchmark,
    record.unit,
    numberText(record.value),
    numberText(record.paper),
    numberText(differencePercent(record), 1),
    ...categories.map(category => numberText(record.breakdown[category] ?? null, 1)),
  ]);
  return [header, ...rows].map(row => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function markdownCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown document: one table per suite, simulated beside paper with the difference. */
export function recordsToMarkdown(records: readonly PanelRecord[], machineSummary?: string): string {
  const lines = ['# L4 Lab results', ''];
  if (machineSummary) lines.push(`Machine: ${markdownCell(machineSummary)}`, '');
  if (records.length === 0) lines.push('No results yet.', '');
  const suites = [...new Set(records.map(record => record.suite))];
  for (const suite of suites) {
    lines.push(`## ${markdownCell(suite)}`, '', '| benchmark | system | unit | simulated | paper | difference |', '| --- | --- | --- | ---: | ---: | ---: |');
    for (const record of records.filter(entry => entry.suite === suite)) {
      const difference = differencePercent(record);
      lines.push(
        `| ${markdownCell(record.benchmark)} | ${markdownCell(record.system)} | ${markdownCell(record.unit)} | ${numberText(record.value)} | ${record.paper === null ? '–' : numberText(record.paper)} | ${difference === null ? '–' : `${difference >= 0 ? '+' : ''}${difference.toFixed(1)} %`} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
