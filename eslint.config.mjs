// ESLint 9 flat config: typescript-eslint's recommended rules (syntax only, no type information,
// so lint stays fast) and the import zones of DESIGN.md §1 / STYLE.md 1.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const escape = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const nodeBuiltins = builtinModules.filter(name => !name.startsWith('node:') && !name.startsWith('_')).map(escape);

/** Import-zone patterns for `no-restricted-imports`; each `regex` is matched against the import specifier. */
const zone = {
  vscode: { regex: '^vscode$', message: 'Only extension/ may import vscode.' },
  node: {
    regex: `^(node:.*|(${nodeBuiltins.join('|')})(/.*)?)$`,
    message: 'Node built-in modules are only for engine/host/node, extension/, test/ and scripts/.',
  },
  extension: { regex: '(^|/)extension(/|$)', message: 'extension/ is the VS Code host; nothing below it may depend on it.' },
  webview: { regex: '(^|/)webview(/|$)', message: 'webview/ is browser code; only the extension loads it (as a bundle).' },
  // extension/ may import from webview/ only a typed protocol (webview/panelProtocol.ts: types and validators, no DOM).
  webviewExceptProtocol: {
    regex: '^(?!.*Protocol$).*(^|/)webview(/|$)',
    message: 'extension/ may import from webview/ only a typed protocol (a *Protocol module); the rest is loaded as a bundle.',
  },
  // webview/ may use the engine's typed protocols only: a module named *Protocol or one under a protocol/ folder.
  engineExceptProtocol: {
    regex: '^(?!.*(Protocol$|(^|/)protocol/)).*(^|/)engine(/|$)',
    message: 'webview/ may import from engine/ only a typed protocol (a *Protocol module or a protocol/ folder).',
  },
  // extension/ uses the engine through its facade, engine/api, or a typed protocol; the simulation itself runs in the worker.
  engineInternals: {
    regex: '^(?!.*(Protocol$|(^|/)protocol/)).*(^|/)engine/(?!api(/|$))',
    message: 'extension/ may use the engine only through engine/api (and the worker protocol).',
  },
};

/** @param {Array<{ regex: string, message: string }>} patterns @returns {import('eslint').Linter.RulesRecord} */
const restrict = patterns => ({ 'no-restricted-imports': ['error', { patterns }] });

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', 'reproduction/', '.vscode-test/', '**/*.vsix'],
  },
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The simulator: pure TypeScript, hosts are injected.
  {
    files: ['engine/**/*.{ts,mts,cts,js,mjs}'],
    ignores: ['engine/host/node/**'],
    rules: restrict([zone.vscode, zone.node, zone.extension, zone.webview]),
  },
  // The engine's Node host (worker thread, CLI) may use Node, still not vscode or the UI.
  {
    files: ['engine/host/node/**/*.{ts,mts,cts,js,mjs}'],
    rules: restrict([zone.vscode, zone.extension, zone.webview]),
  },
  // Browser code of the panels and the notebook renderer.
  {
    files: ['webview/**/*.{ts,mts,cts,js,mjs}'],
    rules: restrict([zone.vscode, zone.node, zone.extension, zone.engineExceptProtocol]),
  },
  // The VS Code host.
  {
    files: ['extension/**/*.{ts,mts,cts,js,mjs}'],
    rules: restrict([zone.webviewExceptProtocol, zone.engineInternals]),
  },
  // Custom-server templates are user files: a triple-slash reference gives them the L4 API's
  // declarations without any configuration (an import would be refused when they run).
  {
    files: ['labs/templates/**/*.ts'],
    rules: { '@typescript-eslint/triple-slash-reference': 'off' },
  },
  // Unit and guest tests run in plain Node, without VS Code.
  {
    files: ['test/unit/**/*.{ts,mts,cts,js,mjs}', 'test/guest/**/*.{ts,mts,cts,js,mjs}'],
    rules: restrict([zone.vscode]),
  },
);
