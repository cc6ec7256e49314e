import * as assert from 'node:assert/strict';
import { bootLinuxSystem } from '../../../engine/linux/systems';
import type { MkLinux } from '../../../engine/linux/mach/mklinux';
import type { GuestProgram } from '../../../engine/userland/runtime';

/**
 * Process exit gives Mach back everything the process took (thread_terminate/task_terminate):
 * kernel stacks, the task's VM map and the pages it faulted in, its server thread's user stack,
 * ports, port sets, the IPC space and the zone elements. Run many processes and compare the
 * kernel's free page frames with a run of a few.
 */
describe('MkLinux: exited processes leave no Mach memory behind', () => {
  /** `count` times fork + exec /bin/true + wait. */
  const spawner = (count: number): GuestProgram => ({
    name: 't_spawn',
    textBytes: 8192,
    dataBytes: 4096,
    bssBytes: 4096,
    *main(libc) {
      for (let i = 0; i < count; i++) {
        const child = yield* libc.fork(function* (c) {
          yield* c.execve('/bin/true', ['true']);
          return 1;
        });
        if ((yield* libc.waitpid(child))[1] !== 0) return 1;
      }
      return 0;
    },
  });

  const freeFramesAfter = (system: string, count: number): number => {
    const booted = bootLinuxSystem(system, { programs: [spawner(count)], initArgs: ['sh', '-c', 't_spawn'] });
    assert.equal(booted.run(133_000_000 * 30), 'halted');
    assert.equal(booted.exitStatus, 0);
    return (booted.substrate as unknown as MkLinux).mach.memory.frames.freeFrames;
  };

  for (const system of ['mklinux-user', 'mklinux-kernel'] as const) {
    it(`${system}: 40 more processes cost no page frames (tolerance 2 frames)`, () => {
      // the first 5 processes grow the zones (their free lists are caches kept for reuse, as in
      // Mach); the tolerance covers what is known to stay: a dead port element per co-located
      // exit whose never-answered reply right is not released (128 B), and dead names of the
      // server with several user references that take more than one exit to go
      const few = freeFramesAfter(system, 5);
      const many = freeFramesAfter(system, 45);
      assert.ok(few - many <= 2, `${few - many} frames lost over 40 processes (${few} free after 5, ${many} after 45)`);
    });
  }
});
