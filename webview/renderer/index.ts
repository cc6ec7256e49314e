// The notebook renderer of `.l4lab` outputs (DESIGN.md §7): tables, charts (Chart.js, themed
// like the benchmark panel), guest console text and mapping trees. Imports only its own files
// and the typed MIME protocol of the engine (engine/api/labProtocol.ts).

import type { LabChartData, LabConsoleData, LabMappingNodeData, LabMappingTreeData, LabPageFaultPathData, LabSequenceData, LabTableData } from '../../engine/api/labProtocol';
import { renderPageFaultPath, renderSequence } from './sequence';
import { LAB_MIME } from '../../engine/api/labProtocol';
import { renderChart } from './chart';

interface OutputItem {
  readonly mime: string;
  json(): unknown;
}

const STYLE = `
.l4lab table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 4px 0; }
.l4lab th, .l4lab td { border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); padding: 2px 10px; text-align: left; }
.l4lab td.num { text-align: right; }
.l4lab caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
.l4lab pre.console { background: var(--vscode-terminal-background, #111); color: var(--vscode-terminal-foreground, #ddd); padding: 6px 8px; margin: 0; white-space: pre-wrap; }
.l4lab ul.tree { list-style: none; margin: 0; padding-left: 18px; border-left: 1px dashed #8888; }
.l4lab ul.tree.root { border-left: none; padding-left: 0; }
.l4lab .node { display: inline-block; padding: 1px 6px; margin: 2px 0; border: 1px solid #8888; border-radius: 3px; font-family: var(--vscode-editor-font-family, monospace); }
.l4lab .node.removed { border-color: var(--vscode-charts-red, #f14c4c); background: #f14c4c22; }
.l4lab .title { font-weight: 600; margin: 4px 0; }
`;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

function formatCell(value: string | number | null): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
}

function renderTable(data: LabTableData): HTMLElement {
  const table = element('table');
  if (data.title) table.append(element('caption', data.title));
  const head = element('tr');
  for (const column of data.columns) head.append(element('th', column));
  table.append(head);
  for (const row of data.rows) {
    const tr = element('tr');
    for (const value of row) tr.append(element('td', formatCell(value), typeof value === 'number' ? 'num' : undefined));
    table.append(tr);
  }
  return table;
}

function renderConsole(data: LabConsoleData): HTMLElement {
  const pre = element('pre', data.text, 'console');
  pre.title = `console of ${data.system}`;
  return pre;
}

const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;

function renderNode(node: LabMappingNodeData): HTMLElement {
  const li = element('li');
  const label = element('span', `task ${node.task} @ ${hex(node.address)} ${node.writable ? 'rw' : 'ro'}`, node.removedByUnmap ? 'node removed' : 'node');
  if (node.removedByUnmap) label.title = 'removed by the unmap';
  li.append(label);
  if (node.children.length > 0) {
    const ul = element('ul', undefined, 'tree');
    for (const child of node.children) ul.append(renderNode(child));
    li.append(ul);
  }
  return li;
}

function renderMappingTree(data: LabMappingTreeData): HTMLElement {
  const box = element('div');
  box.append(element('div', `Mapping tree of frame ${hex(data.frame)} (red: removed by the unmap)`, 'title'));
  const ul = element('ul', undefined, 'tree root');
  ul.append(renderNode(data.root));
  box.append(ul);
  return box;
}

/** The renderer entry point VS Code calls (notebook renderer API, ES module). */
export function activate(): { renderOutputItem(item: OutputItem, host: HTMLElement): void; disposeOutputItem?(id?: string): void } {
  return {
    renderOutputItem(item, host) {
      host.replaceChildren();
      const style = element('style', STYLE);
      const root = element('div', undefined, 'l4lab');
      host.append(style, root);
      const data = item.json();
      switch (item.mime) {
        case LAB_MIME.table:
          root.append(renderTable(data as LabTableData));
          break;
        case LAB_MIME.chart:
          root.append(renderChart(data as LabChartData));
          break;
        case LAB_MIME.console:
          root.append(renderConsole(data as LabConsoleData));
          break;
        case LAB_MIME.sequence:
          root.append(renderSequence(data as LabSequenceData));
          break;
        case LAB_MIME.pageFaultPath:
          root.append(renderPageFaultPath(data as LabPageFaultPathData));
          break;
        case LAB_MIME.mappingTree:
          root.append(renderMappingTree(data as LabMappingTreeData));
          break;
        default:
          root.append(element('pre', JSON.stringify(data, null, 2)));
      }
    },
  };
}
