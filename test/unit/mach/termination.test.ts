import * as assert from 'node:assert/strict';
import { KERN, MACH_PORT_RIGHT } from '../../../engine/mach/machConstants';
import type { GuestBody } from '../../../engine/mach/machKernel';
import { bootMach, runToIdle } from './fixtures';

const PAGE = 4096;

/** A thread that takes what a thread can take: anonymous pages, ports, a port set, a MIG reply port, its stack. */
const greedy: GuestBody = function* (g) {
  const self = yield* g.machTaskSelf();
  assert.equal(yield* g.vmAllocate(self, 0, 5 * PAGE, true), KERN.SUCCESS);
  yield* g.touch(g.out[0], 5 * PAGE, true);
  yield* g.machPortAllocate(self);
  yield* g.machPortAllocate(self, MACH_PORT_RIGHT.PORT_SET);
  yield* g.migReplyPort();
};

describe('Mach thread and task termination', () => {
  it('a terminated task with two threads gives back every page frame (kernel stacks, map, pages, ports, zones)', () => {
    const { kernel } = bootMach();
    const frames = kernel.memory.frames;
    const cycle = (): number => {
      const main = kernel.startTask('greedy', greedy);
      kernel.resume(kernel.createThread(main.task, 'greedy.2', greedy));
      runToIdle(kernel);
      kernel.terminateTask(main.task);
      return frames.freeFrames;
    };
    cycle(); // grows the zones: their free lists are kept, as zalloc keeps them
    const warm = cycle();
    for (let i = 0; i < 8; i++) assert.equal(cycle(), warm);
  });

  it("a thread that ends while its task lives frees its kernel stack, user stack and MIG reply port", () => {
    const { kernel } = bootMach();
    const frames = kernel.memory.frames;
    const holder = kernel.startTask('holder', function* () {});
    runToIdle(kernel);
    const task = holder.task;
    const cycle = (): number => {
      kernel.resume(kernel.createThread(task, 'worker', function* (g) {
        yield* g.touch(g.messageBuffer, 3 * PAGE, true);
        yield* g.migReplyPort();
      }));
      runToIdle(kernel);
      return frames.freeFrames;
    };
    cycle();
    const warm = cycle();
    const names = task.space.names().length;
    for (let i = 0; i < 8; i++) assert.equal(cycle(), warm);
    assert.equal(task.space.names().length, names);
    assert.equal(task.threads.length, 0);
  });
});
