import assert from 'node:assert/strict';
import { bootLinux } from '../../../engine/linux/boot';
import type { GuestProgram } from '../../../engine/userland/runtime';
import { runGuest } from '../../../engine/bench/linux/linuxHarness';

/** `execmany N`: N children exec the same uncached program at once; the parent reaps them all. */
const execMany: GuestProgram = {
  name: 'execmany', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
  *main(libc, argv) {
    const count = Number(argv[1]);
    const children: number[] = [];
    for (let i = 0; i < count; i++) {
      children.push(yield* libc.fork(function* (c) {
        yield* c.execve('/bin/true', ['true']);
        return 99;
      }));
    }
    for (const child of children) {
      const [pid, status] = yield* libc.waitpid(child);
      if (pid !== child || status !== 0) return 1;
    }
    return 0;
  },
};

describe('disk waits (wait_on_page / end_request wake-ups)', () => {
  for (const count of [2, 4, 16]) {
    it(`${count} processes exec'ing the same uncached program all complete`, () => {
      const system = bootLinux({ programs: [execMany], initArgs: ['sh', '-c', `execmany ${count}`] });
      assert.equal(system.run(133e6 * 20), 'halted');
      assert.equal(system.exitStatus, 0);
    });
  }

  it('16 AIM users sharing uncached programs and buffers all finish (no lost wake-up)', () => {
    const run = runGuest('linux', 'aim 16', {}, {}, 120);
    assert.ok((run.marks.get('stop')?.value ?? 0) >= 16);
  });
});
