// A cheap second guard for DESIGN.md §1 beside the lint zones and the tsconfig projects:
// no engine module outside engine/host/node may reach vscode or Node.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const engine = path.join(root, 'engine');
const nodeHost = path.join(engine, 'host', 'node');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(file => /\.(ts|mts|cts|js|mjs)$/.test(file))
    .map(file => path.join(dir, file))
    .filter(file => !file.startsWith(nodeHost + path.sep));
}

// import … from 'x', export … from 'x', import 'x', import('x'), require('x')
const forbidden = [
  /\bfrom\s*['"](vscode|node:[^'"]*)['"]/,
  /\bimport\s*['"](vscode|node:[^'"]*)['"]/,
  /\b(import|require)\s*\(\s*['"](vscode|node:[^'"]*)['"]\s*\)/,
];

describe('layering', () => {
  it('engine/ outside engine/host/node imports neither vscode nor node:*', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(engine)) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (forbidden.some(pattern => pattern.test(line))) {
          offenders.push(`${path.relative(root, file)}:${index + 1}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(offenders, []);
  });
});
