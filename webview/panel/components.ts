// The panel's only contact with @vscode/webview-ui-toolkit: the rest of the panel builds its UI
// through these functions, so replacing the toolkit (it is deprecated upstream) touches one file.

import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
  vsCodeTag,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Defines the custom elements once. */
export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeProgressRing(), vsCodeTag());
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A button; `secondary` for the less important actions. */
export function button(label: string, onClick: () => void, options: { id?: string; secondary?: boolean; title?: string } = {}): HTMLElement {
  const node = document.createElement('vscode-button');
  node.textContent = label;
  if (options.id) node.id = options.id;
  if (options.secondary) node.setAttribute('appearance', 'secondary');
  if (options.title) node.setAttribute('title', options.title);
  node.addEventListener('click', onClick);
  return node;
}

/** Keyboard-accessible tabs (arrow keys move between tabs): returns the container and a content element per tab. */
export function tabs(entries: Array<{ id: string; label: string }>, active: string, onChange: (id: string) => void): { root: HTMLElement; views: Map<string, HTMLElement> } {
  const root = document.createElement('vscode-panels');
  root.setAttribute('aria-label', 'Benchmark tables');
  const views = new Map<string, HTMLElement>();
  for (const entry of entries) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${entry.id}`;
    tab.textContent = entry.label;
    root.append(tab);
  }
  for (const entry of entries) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${entry.id}`;
    const content = element('section', { class: 'tab-content', 'data-tab': entry.id });
    view.append(content);
    root.append(view);
    views.set(entry.id, content);
  }
  root.setAttribute('activeid', `tab-${active}`);
  root.addEventListener('change', () => {
    const id = root.getAttribute('activeid') ?? (root as unknown as { activeid?: string }).activeid;
    if (id) onChange(String(id).replace(/^tab-/, ''));
  });
  return { root, views };
}

/** An indeterminate progress indicator with a label. */
export function progress(label: string): HTMLElement {
  const ring = document.createElement('vscode-progress-ring');
  return element('div', { class: 'progress', role: 'status' }, ring, element('span', {}, label));
}

/** A small label (e.g. "paper", "not built yet"). */
export function tag(label: string): HTMLElement {
  const node = document.createElement('vscode-tag');
  node.textContent = label;
  return node;
}
