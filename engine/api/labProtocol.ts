/**
 * MIME types of lab notebook outputs and the shape of their data (DESIGN.md §7). Types and
 * constants only: the notebook renderer, the extension and the engine all import this file.
 * Every rich output also carries a `text/plain` fallback so that saved notebooks diff well.
 */

/** The typed MIME types of `.l4lab` outputs. */
export const LAB_MIME = {
  table: 'application/vnd.l4lab.table+json',
  chart: 'application/vnd.l4lab.chart+json',
  mappingTree: 'application/vnd.l4lab.mapping-tree+json',
  sequence: 'application/vnd.l4lab.sequence+json',
  pageFaultPath: 'application/vnd.l4lab.page-fault-path+json',
  console: 'application/vnd.l4lab.console+json',
  error: 'application/vnd.code.notebook.error',
  text: 'text/plain',
  markdown: 'text/markdown',
} as const;

/** A result table: named columns, rows of cells (numbers or text), optional caption. */
export interface LabTableData {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
}

/** A bar chart: one group of bars per label; `stacked` stacks the series ("where the cycles went"). */
export interface LabChartData {
  readonly title?: string;
  readonly labels: readonly string[];
  readonly series: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<number> }>;
  readonly unit?: string;
  readonly stacked?: boolean;
}

/** One node of a mapping tree (a task's page and the mappings derived from it). */
export interface LabMappingNodeData {
  readonly task: number;
  readonly address: number;
  readonly writable: boolean;
  /** Whether an unmap of the node the tree was asked for would remove this one. */
  readonly removedByUnmap: boolean;
  readonly children: readonly LabMappingNodeData[];
}

/** The mapping tree of one physical frame. */
export interface LabMappingTreeData {
  readonly frame: number;
  readonly root: LabMappingNodeData;
}

/** One event of a traced interval, stamped in cycles since the interval began. */
export interface LabSequenceEvent {
  readonly cycle: number;
  /** `ipc` (an IPC system call, arrow to its destination), `pageFault` (arrow to the pager), `switch` (thread switch; `spaceSwitch` when CR3 was reloaded), `interrupt`. */
  readonly kind: 'ipc' | 'pageFault' | 'switch' | 'interrupt';
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly spaceSwitch?: boolean;
}

/** A sequence diagram of a traced interval: threads as lanes, events top to bottom. */
export interface LabSequenceData {
  readonly title?: string;
  readonly lanes: readonly string[];
  readonly events: readonly LabSequenceEvent[];
}

/** The page-fault path (SOSP'97 Figure 1): its steps with cycle stamps since the fault. */
export interface LabPageFaultPathData {
  readonly thread: string;
  readonly pager: string;
  readonly address: number;
  readonly steps: ReadonlyArray<{ readonly label: string; readonly cycle: number }>;
}

/** Guest console text. */
export interface LabConsoleData {
  readonly system: string;
  readonly text: string;
}

/** One output item: a MIME type and its data (a string for text types, JSON otherwise). */
export interface LabOutputItem {
  readonly mime: string;
  readonly data: unknown;
}
