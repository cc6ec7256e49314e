import assert from 'node:assert/strict';
import { SeededRandom } from '../../../engine/base/random';
import { runGuest } from '../../../engine/bench/linux/linuxHarness';
import { AIM_WORKFILE, aimJobCounts, aimJobOrder } from '../../../engine/userland/aimWorkfile';

describe('AIM Suite VII multiuser shared-system mix', () => {
  it('has the 53 tests and 780 hits of workfile.shared', () => {
    assert.equal(AIM_WORKFILE.length, 53);
    assert.equal(AIM_WORKFILE.reduce((sum, [, hits]) => sum + hits, 0), 780);
  });

  it('gives each test round(hits / 780 x 100) jobs, at least one, as driver.c runloop does', () => {
    const counts = aimJobCounts(100);
    assert.equal(counts.get('add_double'), 4); // 3.85
    assert.equal(counts.get('disk_rw'), 3); // 2.56
    assert.equal(counts.get('fork_test'), 1); // 1.28
    assert.equal([...counts.values()].reduce((sum, count) => sum + count, 0), 97);
    assert.equal([...aimJobCounts(20).values()].every((count) => count >= 1), true);
    assert.deepEqual([...aimJobCounts(100, ['sieve', 'exec_test'])], [['exec_test', 3], ['sieve', 1]]);
  });

  it('orders a user\'s jobs at random, each test its count of times, the same for the same seed', () => {
    const counts = aimJobCounts(100);
    const order = aimJobOrder(counts, new SeededRandom(7));
    assert.equal(order.length, 97);
    for (const [name, count] of counts) assert.equal(order.filter((job) => job === name).length, count, name);
    assert.deepEqual(aimJobOrder(counts, new SeededRandom(7)), order);
    assert.notDeepEqual(aimJobOrder(counts, new SeededRandom(8)), order);
  });

  it('aim runs every test of the mix for two users and counts their jobs', () => {
    const run = runGuest('linux', 'aim -f 0.02 2', {});
    assert.equal(run.marks.get('stop')?.value, 2 * 97);
  });

  it('aim rejects a bad load, fraction or test name with its usage', () => {
    for (const command of ['aim 0', 'aim -f 2 1', 'aim 1 no_such_test']) assert.throws(() => runGuest('linux', command, {}), /status 2/);
  });
});
