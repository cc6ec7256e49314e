// Charts of the panel, drawn by Chart.js (bundled; no CDN) in the theme's colours, which VS Code
// provides as CSS variables (light, dark and high-contrast themes alike).

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow', '--vscode-charts-foreground'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#cccccc'];

function cssVariable(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The n-th series colour of the current theme. */
export function seriesColour(index: number): string {
  return cssVariable(PALETTE[index % PALETTE.length], FALLBACK[index % FALLBACK.length]);
}

/** Diagonal stripes of `colour` on a faint ground of it: how a colour is told apart the second time round. */
function hatched(colour: string): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const context = tile.getContext('2d');
  if (!context) return colour;
  context.fillStyle = colour;
  context.globalAlpha = 0.3;
  context.fillRect(0, 0, 8, 8);
  context.globalAlpha = 1;
  context.strokeStyle = colour;
  context.lineWidth = 2.5;
  context.beginPath();
  for (const offset of [-8, 0, 8]) {
    context.moveTo(offset, 8);
    context.lineTo(offset + 8, 0);
  }
  context.stroke();
  return context.createPattern(tile, 'repeat') ?? colour;
}

/**
 * The fill of the n-th series: the theme's chart colours, solid for the first round of the
 * palette and striped for the next, so that up to twice as many series stay distinct.
 */
function seriesFill(index: number): CanvasPattern | string {
  const colour = seriesColour(index);
  return Math.floor(index / PALETTE.length) % 2 === 0 ? colour : hatched(colour);
}

export interface BarSeries {
  label: string;
  values: Array<number | null>;
  /** A fixed place in the palette (a cycle category keeps its colour in every chart); else the series' position. */
  colourIndex?: number;
}

const live = new Set<Chart>();

/** Destroys every chart (before the panel re-renders). */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live.clear();
}

/**
 * A bar chart in a canvas with an accessible text alternative. `stacked` stacks the series
 * (the "where the cycles went" bars); `horizontal` lays bars along the x axis.
 */
export function barChart(options: { title: string; labels: string[]; series: BarSeries[]; stacked?: boolean; horizontal?: boolean; axisLabel?: string; height?: number }): HTMLElement {
  const container = document.createElement('div');
  container.className = 'chart';
  container.style.height = `${options.height ?? 260}px`;
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${options.title}: ${options.series.map(series => `${series.label} ${series.values.map(value => (value === null ? '–' : value.toFixed(2))).join(', ')}`).join('; ')}`);
  container.append(canvas);
  const foreground = cssVariable('--vscode-foreground', '#cccccc');
  const grid = cssVariable('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)');
  const font = cssVariable('--vscode-font-family', 'sans-serif');
  const config: ChartConfiguration<'bar', Array<number | null>, string> = {
    type: 'bar',
    data: {
      labels: options.labels,
      datasets: options.series.map((series, index) => ({ label: series.label, data: series.values, backgroundColor: seriesFill(series.colourIndex ?? index), borderColor: seriesColour(series.colourIndex ?? index), borderWidth: 1 })),
    },
    options: {
      indexAxis: options.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      color: foreground,
      font: { family: font },
      plugins: {
        legend: { labels: { color: foreground, font: { family: font } } },
        tooltip: { enabled: true },
      },
      scales: {
        x: { stacked: options.stacked, ticks: { color: foreground }, grid: { color: grid }, title: { display: Boolean(options.horizontal && options.axisLabel), text: options.axisLabel ?? '', color: foreground } },
        y: { stacked: options.stacked, ticks: { color: foreground }, grid: { color: grid }, title: { display: Boolean(!options.horizontal && options.axisLabel), text: options.axisLabel ?? '', color: foreground } },
      },
    },
  };
  // Chart.js needs the canvas in the document to measure it: create it on the next frame.
  requestAnimationFrame(() => {
    if (canvas.isConnected) live.add(new Chart(canvas, config));
  });
  return container;
}
