import sosp97 from '../../labs/reference/sosp97.json';
import sosp97Macro from '../../labs/reference/sosp97-macro.json';
import type { SystemId } from './records';

/**
 * The paper's published values, as data (labs/reference/sosp97.json; the macro benchmarks and
 * §6 experiments in sosp97-macro.json, null until transcribed). Code never writes a result in;
 * it looks the published value up to print it beside the simulated one.
 */
export interface PaperRecord {
  readonly system: string;
  readonly benchmark: string;
  readonly unit: string;
  readonly value: number | null;
  readonly row?: string;
  /** Where a value that is not in a table of the paper comes from (e.g. the abstract). */
  readonly source?: string;
}

const records: PaperRecord[] = [...sosp97.tables.table2.records, ...sosp97.tables.table4.records, ...Object.values(sosp97Macro.tables).flatMap((table): readonly PaperRecord[] => table.records)];

/** The published value of `benchmark` on `system`, or null. */
export function paperValue(system: SystemId, benchmark: string): number | null {
  return records.find((r) => r.system === system && r.benchmark === benchmark)?.value ?? null;
}

/** SOSP'97 Figure 5: the five rows of an L4Linux getpid, in cycles. */
export function figure5Rows(): ReadonlyArray<{ phase: string; side: string; cycles: number }> {
  return sosp97.tables.figure5.rows;
}

export const PAPER_CITATION = sosp97.citation;
