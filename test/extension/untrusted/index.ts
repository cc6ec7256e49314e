// Entry of the restricted-mode tests: scripts/runVscodeTests.mjs runs them in a second VS Code
// with workspace trust enabled and the test workspace left untrusted (test/extension/index.ts
// leaves this folder out of the trusted run).
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60000 });
  for (const file of fs.readdirSync(__dirname).filter(name => name.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run(failures => (failures > 0 ? reject(new Error(`${failures} restricted-mode test(s) failed`)) : resolve()));
  });
}
