// Entry of the extension tests: VS Code loads this module in the extension host and awaits run().
// scripts/runVscodeTests.mjs bundles it with every *.test.ts beside it into out/test/extension/.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 20000 });
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.test.js') && !file.startsWith(`untrusted${path.sep}`)) // restricted-mode tests run in their own VS Code
    .sort();
  for (const file of files) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run(failures => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}
