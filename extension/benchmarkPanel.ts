// The benchmark panel: one webview panel (revealed if already open, restored after a reload by
// a serializer) that renders the lab's results. Its script is dist/webview/panel.js (bundled
// from webview/panel/); it talks to this file only through webview/panelProtocol.ts.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isFromPanelMessage, type ExportFormat, type FromPanelMessage, type ToPanelMessage } from '../webview/panelProtocol';
import type { Lab } from './lab';

export const PANEL_VIEW_TYPE = 'l4lab.benchmarkPanel';

export class BenchmarkPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** State messages sent to the open panel, and the record count of the last state it drew (for tests). */
  private updates = 0;
  private rendered = -1;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly lab: Lab,
    private readonly actions: { rerun(): unknown; stop(): unknown; exportResults(format: ExportFormat): unknown; runMachineBenchmark(): unknown },
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => this.adopt(panel),
      }),
      lab.onDidChangeState(state => this.post({ type: 'state', state })),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** For tests: whether the panel is open and how many state messages it was sent. */
  get status(): { open: boolean; visible: boolean; updates: number; renderedRecords: number } {
    return { open: this.panel !== undefined, visible: this.panel?.visible ?? false, updates: this.updates, renderedRecords: this.rendered };
  }

  /** Opens the panel, or reveals it if it is open. */
  show(preserveFocus = false): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'L4 Lab Benchmarks',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] },
    );
    this.adopt(panel);
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.updates = 0;
    this.rendered = -1;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
    panel.webview.html = this.html(panel.webview);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (!isFromPanelMessage(message)) {
          this.lab.output.appendLine(`[panel] ignored an invalid message: ${JSON.stringify(message)?.slice(0, 200)}`);
          return;
        }
        this.onMessage(message);
      }),
    ];
    panel.onDidDispose(() => {
      for (const subscription of subscriptions) subscription.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private onMessage(message: FromPanelMessage): void {
    switch (message.type) {
      case 'ready':
        this.post({ type: 'state', state: this.lab.panelState });
        return;
      case 'rendered':
        this.rendered = message.records;
        return;
      case 'rerun':
        void this.actions.rerun();
        return;
      case 'stop':
        void this.actions.stop();
        return;
      case 'export':
        void this.actions.exportResults(message.format);
        return;
      case 'runMachineBenchmark':
        void this.actions.runMachineBenchmark();
        return;
    }
  }

  post(message: ToPanelMessage): void {
    if (!this.panel) return;
    this.updates++;
    void this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'panel.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>L4 Lab Benchmarks</title>
</head>
<body>
<main id="app" aria-live="polite"><p>Loading the benchmark panel…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}
