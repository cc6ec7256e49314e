import * as assert from 'node:assert/strict';
import { KernelCalls } from '../../../engine/linux/mach/serverCalls';
import { MACH_ROUTINES, type MachGuest } from '../../../engine/mach/guestApi';
import { I386_SAVED_STATE, KERN, MACH_MSG, USER_CS, USER_DS } from '../../../engine/mach/machConstants';
import { THREAD_STATE_WORDS } from '../../../engine/mach/mig';
import { REG } from '../../../engine/mach/thread';
import { bootMach, runToIdle } from './fixtures';

const PAGE = 4096;

/**
 * KernelCalls.rpc, the Linux server's MIG RPCs to kernel objects: by mach_msg from a user-mode
 * server, as a call from a co-located one. Both must give the same out values for every argument
 * kind a routine's reply declares.
 */
function getState(colocated: boolean, flavor = I386_SAVED_STATE): { result: number; out: number[] } {
  const { kernel } = bootMach();
  const server = kernel.createTask('server', colocated);
  const calls = new KernelCalls(kernel, colocated, server);
  const target = kernel.createThread(kernel.createTask('process', false), 'process', function* () {});
  [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88].forEach((value, i) => (target.registers[i] = value));
  const name = kernel.grantKernelPort(server, target.selfPort);
  const seen = { result: -1, out: [] as number[] };
  kernel.resume(kernel.createThread(server, 'server', function* (g) {
    seen.result = yield* calls.rpc(colocated ? null : g, g.thread, MACH_ROUTINES.threadGetState, name, [flavor]);
    seen.out = Array.from(calls.out.subarray(0, THREAD_STATE_WORDS));
    yield* calls.rpc(colocated ? null : g, g.thread, MACH_ROUTINES.threadResume, name, []);
  }));
  runToIdle(kernel);
  return seen;
}

/**
 * Runs `body` in a server task (co-located or not) with its KernelCalls; returns what the body
 * pushed onto `seen`.
 */
function inServer(colocated: boolean, body: (g: MachGuest, calls: KernelCalls, seen: number[]) => Generator<void, void, void>): number[] {
  const { kernel } = bootMach();
  const server = kernel.createTask('server', colocated);
  const calls = new KernelCalls(kernel, colocated, server);
  const seen: number[] = [];
  kernel.resume(kernel.createThread(server, 'server', (g) => body(g, calls, seen)));
  runToIdle(kernel);
  return seen;
}

describe('Linux server kernel calls (KernelCalls.rpc)', () => {
  it('thread_get_state: the reply\'s thread state is the same co-located and user-mode', () => {
    const user = getState(false);
    const colocated = getState(true);
    assert.equal(user.result, KERN.SUCCESS);
    assert.equal(colocated.result, KERN.SUCCESS);
    assert.deepEqual(colocated.out, user.out);
    const out = user.out;
    assert.deepEqual([out[11], out[8], out[10], out[9], out[5], out[4], out[6], out[17]], [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88], 'EAX EBX ECX EDX ESI EDI EBP uesp');
    assert.deepEqual([out[15], out[0], out[18], out[16]], [USER_CS, USER_DS, USER_DS, 0x202]);
    assert.equal(REG.EAX, 0);
  });

  it('thread_get_state of an unknown flavor fails the same way co-located and user-mode', () => {
    assert.equal(getState(false, 99).result, KERN.INVALID_ARGUMENT);
    assert.equal(getState(true, 99).result, KERN.INVALID_ARGUMENT);
  });

  it('vm_read: the out-of-line reply is copied out into the server\'s map, with the same data and size co-located and user-mode', () => {
    const read = (colocated: boolean) => inServer(colocated, function* (g, calls, seen) {
        const self = yield* g.machTaskSelf();
        yield* g.vmAllocate(self, 0, 2 * PAGE, true);
        const source = g.out[0];
        yield* g.write32(source + PAGE + 8, 0x5eed);
        seen.push(yield* calls.rpc(colocated ? null : g, g.thread, MACH_ROUTINES.vmRead, self, [source + PAGE, PAGE]));
        const [copy, size] = [calls.out[0], calls.out[1]];
        seen.push(size, copy !== 0 && copy !== source + PAGE ? 1 : 0, yield* g.read32(copy + 8));
    });
    assert.deepEqual(read(false), [KERN.SUCCESS, PAGE, 1, 0x5eed]);
    assert.deepEqual(read(true), read(false));
  });

  it('vm_write: an out-of-line request argument is copied in from the server\'s map the same way co-located and user-mode', () => {
    const write = (colocated: boolean) => inServer(colocated, function* (g, calls, seen) {
        const self = yield* g.machTaskSelf();
        yield* g.vmAllocate(self, 0, 2 * PAGE, true);
        const [data, target] = [g.out[0], g.out[0] + PAGE];
        yield* g.write32(data + 12, 0xda7a);
        seen.push(yield* calls.rpc(colocated ? null : g, g.thread, MACH_ROUTINES.vmWrite, self, [target, data, PAGE]));
        seen.push(yield* g.read32(target + 12));
        seen.push(yield* calls.rpc(colocated ? null : g, g.thread, MACH_ROUTINES.vmWrite, self, [target, 0x7000_0000, PAGE]));
    });
    assert.deepEqual(write(false), [KERN.SUCCESS, 0xda7a, MACH_MSG.SEND_INVALID_MEMORY]);
    assert.deepEqual(write(true), write(false));
  });
});
