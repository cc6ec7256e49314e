import * as assert from 'node:assert/strict';
import { LinuxSystem } from '../../../engine/linux/boot';
import { MkLinux } from '../../../engine/linux/mach/mklinux';
import { bootLinuxSystem } from '../../../engine/linux/systems';
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
      // Mach); the tolerance covers the server's IPC table growing with its peak number of names
      const few = freeFramesAfter(system, 5);
      const many = freeFramesAfter(system, 45);
      assert.ok(few - many <= 2, `${few - many} frames lost over 40 processes (${few} free after 5, ${many} after 45)`);
    });
  }

  /** Zone elements in use (zone_info), the server's port names, and the dead ports awaiting release, after `count` exits. */
  const censusAfter = (system: string, count: number): { zones: Map<string, number>; names: number } => {
    const options = { programs: [spawner(count)], initArgs: ['sh', '-c', 't_spawn'] };
    const booted = system === 'kernel -A 0'
      ? new LinuxSystem({ ...options, host: (machine, runtime, o) => new MkLinux(machine, runtime, true, { linux: o.linux, mklinux: { useActivations: 0 } }) })
      : bootLinuxSystem(system, options);
    assert.equal(booted.run(133_000_000 * 30), 'halted');
    assert.equal(booted.exitStatus, 0);
    const linux = booted.substrate as unknown as MkLinux;
    return { zones: linux.mach.zoneElements(), names: linux.serverTask.space.names().length };
  };

  // the -A 0 what-if serves system calls as kernel-object messages: exit never answers its reply right
  for (const system of ['mklinux-user', 'mklinux-kernel', 'kernel -A 0'] as const) {
    it(`${system}: 5 more processes leave no zone element and no server port name behind`, () => {
      const few = censusAfter(system, 3);
      const many = censusAfter(system, 8);
      assert.ok(few.zones.size > 8);
      for (const [zone, elements] of few.zones) assert.equal(many.zones.get(zone), elements, `zone ${zone}: ${elements} elements in use after 3 exits, ${many.zones.get(zone)} after 8`);
      assert.equal(many.names, few.names, 'the server\'s port names');
    });
  }
});
