// Bar charts of notebook outputs with Chart.js (bundled, no CDN), in the theme's colours as the
// benchmark panel draws them: grouped bars (simulated vs paper) or stacked "where the cycles went".

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Title, Tooltip } from 'chart.js';
import type { LabChartData } from '../../engine/api/labProtocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title, Tooltip);

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

function colour(index: number): string {
  return getComputedStyle(document.body).getPropertyValue(PALETTE[index % PALETTE.length]!).trim() || FALLBACK[index % FALLBACK.length]!;
}

export function renderChart(data: LabChartData): HTMLElement {
  const container = document.createElement('div');
  container.style.height = `${Math.max(220, 40 + data.labels.length * 26)}px`;
  container.style.maxWidth = '900px';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', data.title ?? 'chart');
  container.append(canvas);
  const foreground = getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#cccccc';
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: [...data.labels],
      datasets: data.series.map((series, index) => ({ label: series.name, data: [...series.values], backgroundColor: colour(index) })),
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      color: foreground,
      plugins: { title: { display: data.title !== undefined, text: data.title ?? '', color: foreground }, legend: { labels: { color: foreground } } },
      scales: {
        x: { stacked: data.stacked === true, ticks: { color: foreground }, title: { display: data.unit !== undefined, text: data.unit ?? '', color: foreground } },
        y: { stacked: data.stacked === true, ticks: { color: foreground, autoSkip: false } },
      },
    },
  });
  return container;
}
