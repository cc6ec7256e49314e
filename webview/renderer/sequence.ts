// The sequence diagram of a traced interval (threads as lanes, IPCs, page faults and thread
// switches top to bottom with cycle stamps) and the page-fault path of SOSP'97 Figure 1, as SVG.

import type { LabPageFaultPathData, LabSequenceData } from '../../engine/api/labProtocol';

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS: Record<string, string> = { ipc: '#3794ff', pageFault: '#f14c4c', switch: '#89d185', interrupt: '#cca700' };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function renderSequence(data: LabSequenceData): HTMLElement {
  const box = document.createElement('div');
  const laneWidth = 170;
  const left = 80;
  const rowHeight = 22;
  const top = 50;
  const width = left + data.lanes.length * laneWidth + 20;
  const height = top + data.events.length * rowHeight + 20;
  const foreground = getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#cccccc';
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': data.title ?? 'sequence diagram', 'font-family': 'sans-serif', 'font-size': 11 });
  const x = (lane: string) => left + data.lanes.indexOf(lane) * laneWidth + laneWidth / 2;
  if (data.title) root.append(svg('text', { x: 4, y: 14, fill: foreground, 'font-weight': 'bold', 'font-size': 12 }, data.title));
  root.append(svg('text', { x: 4, y: top - 8, fill: foreground, opacity: 0.7 }, 'cycle'));
  const defs = svg('defs', {});
  for (const [kind, colour] of Object.entries(COLOURS)) {
    const marker = svg('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: colour }));
    defs.append(marker);
  }
  root.append(defs);
  for (const lane of data.lanes) {
    root.append(svg('text', { x: x(lane), y: top - 22, fill: foreground, 'text-anchor': 'middle', 'font-weight': 'bold' }, lane));
    root.append(svg('line', { x1: x(lane), y1: top - 16, x2: x(lane), y2: height - 10, stroke: foreground, 'stroke-opacity': 0.35, 'stroke-dasharray': '4 3' }));
  }
  data.events.forEach((event, index) => {
    const y = top + index * rowHeight + 8;
    const colour = COLOURS[event.kind] ?? foreground;
    root.append(svg('text', { x: 4, y: y + 4, fill: foreground, opacity: 0.8 }, String(event.cycle)));
    const from = data.lanes.includes(event.from) ? x(event.from) : x(event.to) - 40;
    const to = x(event.to);
    if (Math.abs(from - to) < 1) {
      root.append(svg('circle', { cx: to, cy: y, r: 4, fill: colour }));
      root.append(svg('text', { x: to + 8, y: y + 4, fill: colour }, event.label));
    } else {
      root.append(svg('line', { x1: from, y1: y, x2: to, y2: y, stroke: colour, 'stroke-width': event.spaceSwitch === true ? 2.5 : 1.5, 'marker-end': `url(#arrow-${event.kind})` }));
      root.append(svg('text', { x: (from + to) / 2, y: y - 3, fill: colour, 'text-anchor': 'middle' }, event.label));
    }
  });
  box.append(root);
  const legend = document.createElement('div');
  legend.style.fontSize = '11px';
  legend.textContent = 'blue: IPC · red: page fault (to the pager) · green: thread switch (thick: address-space switch, CR3 reload) · cycles since the interval began';
  box.append(legend);
  return box;
}

export function renderPageFaultPath(data: LabPageFaultPathData): HTMLElement {
  const box = document.createElement('div');
  const title = document.createElement('div');
  title.className = 'title';
  title.textContent = `Page-fault path (Figure 1): ${data.thread} at 0x${data.address.toString(16)}, pager ${data.pager}`;
  box.append(title);
  const row = document.createElement('div');
  row.style.display = 'flex';
  row.style.flexWrap = 'wrap';
  row.style.alignItems = 'center';
  row.style.gap = '6px';
  data.steps.forEach((step, index) => {
    if (index > 0) row.append(Object.assign(document.createElement('span'), { textContent: '→' }));
    const cell = document.createElement('div');
    cell.className = 'node';
    cell.style.maxWidth = '220px';
    cell.style.whiteSpace = 'normal';
    cell.textContent = `${step.label} — cycle ${step.cycle}`;
    row.append(cell);
  });
  box.append(row);
  return box;
}
