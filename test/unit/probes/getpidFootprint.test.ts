import * as assert from 'node:assert/strict';
import { getpidFootprint } from '../../probes/getpidFootprint';

describe('getpidFootprint (test/probes)', () => {
  it("finds L4Linux's own code in a warm getpid: every line of the stub and of the server glue, each call, without misses", () => {
    const result = getpidFootprint('l4linux', 300);
    const hot = result.lines.filter((line) => line.accessesPerCall >= 0.5);
    const library = hot.filter((line) => line.region === 'emulation library');
    const glue = hot.filter((line) => line.region.startsWith('server glue'));
    assert.ok(library.length >= 4 && library.every((line) => line.kind === 'code' && line.phase.endsWith('emulation library')));
    assert.ok(glue.length >= 8 && glue.every((line) => line.phase === 'LINUX'));
    assert.ok(hot.every((line) => line.missesPerCall < 0.05), 'a warm getpid hits in L1');
    assert.ok(Math.abs(result.cyclesPerCall - 414) < 20);
  });
});
