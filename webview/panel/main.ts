// The benchmark panel (browser side). It renders the PanelState the extension sends: tabs for
// the lmbench table (SOSP'97 Figure 6), pipe/RPC (Table 4), getpid (Table 2 + Figure 5), macro
// benchmarks, custom servers and the machine; simulated beside published values; "where the
// cycles went" for the selected result; export, re-run and stop buttons.

import { isToPanelMessage, type FromPanelMessage, type PanelRecord, type PanelState } from '../panelProtocol';
import { barChart, destroyCharts } from './charts';
import { button, element, progress, registerComponents, tabs, tag } from './components';
import { bySystem, difference, figure6, format, systemLabel, TABS, tabOf, table4Order, table4Row } from './panelModel';
import './panel.css';

interface VsCodeApi {
  postMessage(message: FromPanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (message: FromPanelMessage) => vscode.postMessage(message);

interface ViewState {
  tab: string;
  selected: string | null;
}
const saved = vscode.getState() as Partial<ViewState> | undefined;
const view: ViewState = { tab: typeof saved?.tab === 'string' ? saved.tab : 'lmbench', selected: typeof saved?.selected === 'string' ? saved.selected : null };
let state: PanelState | null = null;

const recordKey = (record: PanelRecord) => `${record.suite}|${record.system}|${record.benchmark}`;




/** A focusable table row; Enter, Space or a click selects it for "where the cycles went". */
function selectable(key: string, ...cells: HTMLElement[]): HTMLElement {
  const row = element('tr', { tabindex: '0', 'data-key': key, 'aria-selected': String(view.selected === key), title: 'Enter: show where the cycles went' }, ...cells);
  const select = () => {
    view.selected = key;
    vscode.setState(view);
    render();
  };
  row.addEventListener('click', select);
  row.addEventListener('keydown', event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      select();
    }
  });
  return row;
}

/**
 * Results as a table, one focusable row per record; Enter or a click selects it for the cycle
 * breakdown. `rowLabel` adds a first column naming the paper's row of each record.
 */
function recordTable(records: PanelRecord[], caption: string, rowLabel?: (record: PanelRecord) => string): HTMLElement {
  const table = element('table', { class: 'results' });
  table.append(element('caption', {}, caption));
  const headings = [...(rowLabel ? ['Row'] : []), 'Benchmark', 'System', 'Simulated', 'Paper', 'Difference'];
  table.append(element('thead', {}, element('tr', {}, ...headings.map(text => element('th', { scope: 'col' }, text)))));
  const body = element('tbody');
  for (const record of records) {
    const row = selectable(
      recordKey(record),
      ...(rowLabel ? [element('td', {}, rowLabel(record))] : []),
      element('td', {}, record.benchmark),
      element('td', {}, systemLabel(record.system)),
      element('td', { class: 'number' }, `${format(record.value)} ${record.unit}`),
      element('td', { class: 'number' }, record.paper === null ? '–' : `${format(record.paper)} ${record.unit}`),
      element('td', { class: 'number' }, difference(record)),
    );
    body.append(row);
  }
  table.append(body);
  return table;
}

function empty(text: string): HTMLElement {
  return element('p', { class: 'empty' }, text);
}

function lmbenchView(records: PanelRecord[]): HTMLElement[] {
  if (records.length === 0) return [empty('No lmbench results yet: run "L4 Lab: Run the lmbench Suite".')];
  const { benchmarks, series } = figure6(records);
  const parts: HTMLElement[] = [];
  if (series.length > 0) {
    parts.push(element('h3', {}, 'Slowdown relative to native Linux (SOSP\'97 Figure 6)'), barChart({ title: 'lmbench slowdown', labels: benchmarks, series, axisLabel: 'slowdown (× Linux)' }));
  } else {
    parts.push(empty('The Figure 6 chart needs native Linux and at least one other system.'));
  }
  parts.push(recordTable(records, 'lmbench: absolute values'));
  return parts;
}

function getpidView(records: PanelRecord[]): HTMLElement[] {
  if (records.length === 0) return [empty('No getpid results yet: run "L4 Lab: Run getpid".')];
  const parts: HTMLElement[] = [recordTable(records, 'getpid (SOSP\'97 Table 2)')];
  const withPhases = records.filter(record => record.phases && Object.keys(record.phases).length > 0);
  if (withPhases.length > 0) {
    const phases = [...new Set(withPhases.flatMap(record => Object.keys(record.phases ?? {})))];
    parts.push(
      element('h3', {}, 'Where a getpid goes (SOSP\'97 Figure 5), cycles'),
      barChart({
        title: 'getpid phases',
        labels: withPhases.map(record => systemLabel(record.system)),
        series: phases.map(phase => ({ label: phase, values: withPhases.map(record => record.phases?.[phase] ?? 0) })),
        stacked: true,
        horizontal: true,
        axisLabel: 'cycles',
        height: 80 + 40 * withPhases.length,
      }),
    );
  }
  return parts;
}

function machineView(current: PanelState): HTMLElement[] {
  const parts: HTMLElement[] = [element('div', { class: 'toolbar' }, button('Run the machine benchmark', () => send({ type: 'runMachineBenchmark' }), { id: 'run-machine', secondary: true }))];
  if (current.machineFigures.length > 0) {
    const table = element('table', { class: 'results' }, element('caption', {}, 'Machine model: memory hierarchy and TLB'));
    table.append(element('thead', {}, element('tr', {}, ...['Figure', 'Simulated', 'Published range', 'Source'].map(text => element('th', { scope: 'col' }, text)))));
    const body = element('tbody');
    for (const figure of current.machineFigures) {
      const key = `machine|${figure.id}`;
      body.append(
        selectable(
          key,
          element('td', {}, figure.what),
          element('td', { class: 'number' }, `${format(figure.value)} ${figure.unit}`),
          element('td', { class: 'number' }, figure.reference ? `${format(figure.reference.min)}–${format(figure.reference.max)} ${figure.unit}` : '–'),
          element('td', {}, figure.reference?.source ?? ''),
        ),
      );
    }
    table.append(body);
    parts.push(table);
  }
  if (current.machine) {
    const table = element('table', { class: 'parameters' }, element('caption', {}, `Machine configuration: ${current.machine.summary}`));
    table.append(element('thead', {}, element('tr', {}, ...['Parameter', 'Value', 'Description', 'Source'].map(text => element('th', { scope: 'col' }, text)))));
    const body = element('tbody');
    for (const parameter of current.machine.parameters) {
      body.append(
        element(
          'tr',
          parameter.changed ? { class: 'changed' } : {},
          element('td', {}, parameter.name),
          element('td', { class: 'number' }, `${parameter.value} ${parameter.unit}`.trim()),
          element('td', {}, parameter.description),
          element('td', {}, parameter.source),
        ),
      );
    }
    table.append(body);
    parts.push(table);
  }
  if (parts.length === 1) parts.push(empty('Run the machine benchmark, or "L4 Lab: Show Machine Configuration".'));
  return parts;
}

/**
 * Each cycle category's place in the chart palette, the same in every chart: the categories that
 * are often large come first and get solid colours, the rest get the same colours striped.
 */
const COLOUR_ORDER = ['kernel', 'user', 'kernelEntry', 'tlbRefill', 'cacheMiss', 'linuxServer', 'machIpc', 'ipc', 'addressSpaceSwitch', 'branchMiss', 'copy', 'emulation', 'device', 'idle'];

/** "Where the cycles went" for the selected record: one stacked bar by attribution category. */
function cyclesView(current: PanelState): HTMLElement {
  const section = element('section', { class: 'cycles', 'aria-label': 'Where the cycles went' });
  const figure = current.machineFigures.find(entry => `machine|${entry.id}` === view.selected);
  const record: Pick<PanelRecord, 'benchmark' | 'system' | 'breakdown'> | undefined =
    current.records.find(entry => recordKey(entry) === view.selected) ?? (figure ? { benchmark: figure.what, system: 'machine', breakdown: figure.breakdown } : undefined);
  section.append(element('h2', {}, 'Where the cycles went'));
  if (!record) {
    section.append(empty('Select a result (click, or Enter on a focused row) to see its cycles by category.'));
    return section;
  }
  const categories = Object.entries(record.breakdown).filter(([, cycles]) => cycles > 0);
  const total = categories.reduce((sum, [, cycles]) => sum + cycles, 0);
  section.append(element('p', {}, `${record.benchmark} on ${systemLabel(record.system)}: ${format(total)} cycles${figure ? ' in the measured unit of work' : ' per operation'}`));
  if (categories.length === 0) {
    section.append(empty('This result has no cycle breakdown.'));
    return section;
  }
  const categoryOrder = [...COLOUR_ORDER, ...Object.keys(current.categoryLabels).filter(category => !COLOUR_ORDER.includes(category))];
  const colourPlace = (category: string): number | undefined => (categoryOrder.includes(category) ? categoryOrder.indexOf(category) : undefined);
  section.append(
    barChart({
      title: 'cycles by category',
      labels: [systemLabel(record.system)],
      series: categories.map(([category, cycles]) => ({ label: current.categoryLabels[category] ?? category, values: [cycles], colourIndex: colourPlace(category) })),
      stacked: true,
      horizontal: true,
      axisLabel: 'cycles per operation',
      height: 130,
    }),
  );
  return section;
}

/** The parts of the page that stay while the state changes (so the active tab and focus survive updates). */
interface Layout {
  header: HTMLElement;
  toolbar: HTMLElement;
  status: HTMLElement;
  views: Map<string, HTMLElement>;
  cycles: HTMLElement;
}
let layout: Layout | undefined;

function ensureLayout(): Layout {
  if (layout) return layout;
  const app = document.getElementById('app')!;
  const header = element('header');
  const toolbar = element('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Actions' });
  const status = element('div', { id: 'status' });
  const { root, views } = tabs(TABS, view.tab, id => {
    view.tab = id;
    vscode.setState(view);
  });
  const cycles = element('div', { id: 'cycles' });
  app.replaceChildren(header, toolbar, status, root, cycles);
  layout = { header, toolbar, status, views, cycles };
  return layout;
}

function render(): void {
  destroyCharts();
  if (!state) return;
  const current = state;
  const { header, toolbar, status, views, cycles } = ensureLayout();
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
  header.replaceChildren(element('h1', {}, 'L4 Lab benchmarks'), element('p', { class: 'machine' }, current.machine ? current.machine.summary : 'Simulated 133 MHz Pentium (SOSP\'97 §5.1)'));
  toolbar.replaceChildren(
    button('Re-run', () => send({ type: 'rerun' }), { id: 'rerun', title: current.lastRun ? `Run "${current.lastRun.title}" again` : 'Nothing run yet' }),
    button('Export CSV', () => send({ type: 'export', format: 'csv' }), { id: 'export-csv', secondary: true }),
    button('Export Markdown', () => send({ type: 'export', format: 'markdown' }), { id: 'export-markdown', secondary: true }),
  );
  if (current.running) toolbar.append(button('Stop', () => send({ type: 'stop' }), { id: 'stop', secondary: true }));
  status.replaceChildren();
  if (current.running) {
    const percent = current.running.fraction === undefined ? '' : ` (${Math.round(current.running.fraction * 100)} %)`;
    status.append(progress(`${current.running.title}: ${current.running.message}${percent}`));
  }
  for (const note of current.notes) status.append(element('p', { class: 'note' }, tag('note'), ' ', note));

  const grouped = new Map<string, PanelRecord[]>();
  for (const record of current.records) {
    const tab = tabOf(record.suite);
    grouped.set(tab, [...(grouped.get(tab) ?? []), record]);
  }
  const sorted = (tab: string) => (grouped.get(tab) ?? []).slice().sort((a, b) => a.benchmark.localeCompare(b.benchmark) || bySystem(a.system, b.system));
  views.get('lmbench')!.replaceChildren(...lmbenchView(sorted('lmbench')));
  const pipe = table4Order(grouped.get('pipe') ?? []);
  views.get('pipe')!.replaceChildren(pipe.length > 0 ? recordTable(pipe, 'Pipe and RPC latency and bandwidth (SOSP\'97 Table 4, in the paper\'s row order)', record => table4Row(record) ?? '') : empty('No pipe/RPC results yet: run "L4 Lab: Run the Pipe/RPC Benchmarks".'));
  views.get('getpid')!.replaceChildren(...getpidView(sorted('getpid')));
  const macro = sorted('macro');
  views.get('macro')!.replaceChildren(macro.length > 0 ? recordTable(macro, 'Macro benchmarks') : empty('No macro-benchmark results yet.'));
  const custom = [...sorted('custom'), ...pipe.filter(record => record.system === 'l4')];
  views.get('custom')!.replaceChildren(custom.length > 0 ? recordTable(custom, 'Custom servers beside the paper\'s L4 rows') : empty('No custom-server results yet: "L4 Lab: Benchmark Custom Server".'));
  views.get('machine')!.replaceChildren(...machineView(current));
  cycles.replaceChildren(cyclesView(current));
  if (focusedKey) (document.querySelector(`tr[data-key="${CSS.escape(focusedKey)}"]`) as HTMLElement | null)?.focus();
  send({ type: 'rendered', records: current.records.length });
}

window.addEventListener('message', event => {
  const message: unknown = event.data;
  if (!isToPanelMessage(message)) {
    console.warn('L4 Lab panel: ignored an invalid message', message);
    return;
  }
  switch (message.type) {
    case 'state':
      state = message.state;
      render();
      return;
    case 'exported':
      return;
  }
});

// Re-draw the charts in the new colours when the theme changes (VS Code sets body classes).
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

registerComponents();
send({ type: 'ready' });
