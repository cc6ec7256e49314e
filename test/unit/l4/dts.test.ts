import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('generated guest API declarations (labs/templates/l4lab.d.ts)', () => {
  it('is what scripts/genDts.mjs generates from engine/l4/guestApi.ts and engine/api/customServer.ts', function () {
    this.timeout(60000);
    // --check exits 1 with a message when the checked-in file differs from the generated text
    let output = '';
    try {
      output = execFileSync(process.execPath, [path.join(root, 'scripts/genDts.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`l4lab.d.ts is out of date (run node scripts/genDts.mjs --force): ${(error as { stderr?: string }).stderr ?? String(error)}`);
    }
    assert.equal(output, '');
  });
});
