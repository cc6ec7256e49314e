import * as assert from 'node:assert/strict';
import { PG_PRESENT, PG_WRITABLE } from '../../../engine/machine/paging';
import { EXC, KERN, MACH_MSG, MACH_RCV_MSG, MACH_RCV_TIMEOUT, MACH_SEND_MSG, MSG_ID, MSG_TYPE, VM_PROT } from '../../../engine/mach/machConstants';
import type { MachGuest } from '../../../engine/mach/guestApi';
import type { Task } from '../../../engine/mach/task';
import { bootMach, runToIdle, start } from './fixtures';

const PAGE = 4096;

function* fill(g: MachGuest, address: number, bytes: number, seed: number) {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (seed + i * 7) & 0xff;
  yield* g.write(address, data);
}

function* checksum(g: MachGuest, address: number, bytes: number) {
  const data = new Uint8Array(bytes);
  yield* g.read(address, data);
  let sum = 0;
  for (const b of data) sum = (sum * 31 + b) >>> 0;
  return sum;
}

describe('mach VM: allocate, deallocate, protect', () => {
  it('vm_remap shares the source pages, reports the common protection and refuses a hole', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    start(kernel, 'a', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 2 * PAGE, true);
      const source = g.out[0];
      yield* g.write32(source + PAGE + 4, 0x1234);
      yield* g.vmProtect(self, source, PAGE, false, VM_PROT.READ);
      log.push(yield* g.vmRemap(self, 0, 2 * PAGE, true, self, source, false, 2));
      const [target, protection] = [g.out[0], g.out[1]];
      log.push(protection, yield* g.read32(target + PAGE + 4));
      yield* g.write32(target + PAGE + 8, 0x5678); // through the remapped range, seen at the source
      log.push(yield* g.read32(source + PAGE + 8));
      log.push(yield* g.vmRemap(self, 0, PAGE, true, self, 0x7000_0000, false, 2));
    });
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, VM_PROT.READ, 0x1234, 0x5678, KERN.INVALID_ADDRESS]);
  });

  it('zero-fills allocated memory on first touch and faults after deallocation; an unhandled fault ends the thread', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    const thread = start(kernel, 'a', function* (g) {
      const self = yield* g.machTaskSelf();
      log.push(yield* g.vmAllocate(self, 0, 3 * PAGE, true));
      const address = g.out[0];
      log.push(yield* g.read32(address + PAGE + 8));
      yield* g.write32(address + 2 * PAGE, 0xdeadbeef);
      log.push(yield* g.read32(address + 2 * PAGE));
      log.push(yield* g.vmDeallocate(self, address, 3 * PAGE));
      log.push(yield* g.read32(address)); // faults; no exception port: the thread ends here
      log.push(-1);
    });
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, 0, 0xdeadbeef, KERN.SUCCESS]);
    assert.equal(thread.state, 'halted');
    assert.equal(kernel.exceptions.raised, 1);
  });

  it('validates vm_protect against the maximum protection and reports unmapped ranges', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    start(kernel, 'a', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 2 * PAGE, true);
      const address = g.out[0];
      log.push(yield* g.vmProtect(self, address, 2 * PAGE, true, VM_PROT.READ));
      log.push(yield* g.vmProtect(self, address, PAGE, false, VM_PROT.DEFAULT));
      log.push(yield* g.vmProtect(self, 0x7000_0000, PAGE, false, VM_PROT.READ));
      log.push(yield* g.vmDeallocate(self, address, 2 * PAGE));
    });
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, KERN.PROTECTION_FAILURE, KERN.INVALID_ADDRESS, KERN.SUCCESS]);
  });

  it('delivers a protection fault as an exception_raise message; the handler fixes it with vm_protect and the access is retried', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    let excPort = 0;
    let victimTask: Task | null = null;
    const handler = start(kernel, 'handler', function* (g) {
      excPort = yield* g.machReplyPort();
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 512, excPort));
      const request = yield* g.readMessage(['moveSend', 'moveSend', 'int', 'int', 'int']);
      const [, taskName, exception, code, address] = Array.from(g.out.subarray(0, 5));
      log.push(request.id, exception, code);
      log.push(yield* g.vmProtect(taskName, address, PAGE, false, VM_PROT.DEFAULT));
      const size = yield* g.buildReply(KERN.SUCCESS);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
    });
    kernel.run(() => excPort !== 0 && handler.state === 'waiting');
    const victim = kernel.createTask('victim', false);
    victimTask = victim;
    const send = kernel.grantSendRight(handler.task, excPort, victim);
    const thread = kernel.createThread(victim, 'victim', function* (g) {
      const self = yield* g.machTaskSelf();
      log.push(yield* g.taskSetExceptionPort(self, send, 'copySend'));
      yield* g.vmAllocate(self, 0, PAGE, true);
      const address = g.out[0];
      yield* g.write32(address, 1);
      yield* g.vmProtect(self, address, PAGE, false, VM_PROT.READ);
      yield* g.write32(address, 2); // protection fault → exception → fixed → retried
      log.push(yield* g.read32(address));
    });
    kernel.resume(thread);
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, MACH_MSG.SUCCESS, MSG_ID.exceptionRaise, EXC.BAD_ACCESS, KERN.PROTECTION_FAILURE, KERN.SUCCESS, MACH_MSG.SUCCESS, 2]);
    assert.equal(thread.state, 'halted');
    assert.ok(victimTask !== null);
  });
});

describe('mach VM: a co-located (kernel-loaded) task on itself', () => {
  // kernel_task_create (OSF MK kern/task.c): a kernel-loaded task's map is the kernel's map, so
  // its vm_* calls on its own task port allocate, protect and free in the kernel map
  it('vm_allocate, vm_protect, vm_inherit, vm_read, mach_port_allocate and vm_deallocate on its own task port return, in the kernel map', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    const thread = kernel.startTask('inkernel', function* (g) {
      const self = yield* g.machTaskSelf();
      log.push(yield* g.vmAllocate(self, 0, 2 * PAGE, true));
      const address = g.out[0];
      yield* g.write32(address + PAGE + 4, 0xfeed);
      log.push(yield* g.read32(address + PAGE + 4));
      log.push(yield* g.vmProtect(self, address, PAGE, false, VM_PROT.READ));
      log.push(yield* g.vmInherit(self, address, 2 * PAGE, 2));
      // an out-of-line reply is copied out into the same (kernel) map
      log.push(yield* g.vmRead(self, address + PAGE, PAGE));
      log.push(yield* g.read32(g.out[0] + 4), g.out[0] === address ? 0 : 1);
      log.push(yield* g.machPortAllocate(self));
      log.push(yield* g.vmDeallocate(self, address, 2 * PAGE));
      log.push(yield* g.vmProtect(self, address, PAGE, false, VM_PROT.READ));
      log.push(-1);
    }, { colocated: true });
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, 0xfeed, KERN.SUCCESS, KERN.SUCCESS, KERN.SUCCESS, 0xfeed, 1, KERN.SUCCESS, KERN.SUCCESS, KERN.INVALID_ADDRESS, -1]);
    assert.ok(thread.task.map === kernel.kernelTask.map, 'the kernel\'s map');
    assert.equal(kernel.exceptions.raised, 0);
    assert.equal(kernel.kmsgs.live, 0);
  });

  it('gives two co-located tasks disjoint memory in the pmap they share', () => {
    const { kernel } = bootMach();
    const seen: number[][] = [];
    for (const value of [0x1111, 0x2222]) {
      kernel.startTask(`inkernel${value}`, function* (g) {
        const self = yield* g.machTaskSelf();
        yield* g.vmAllocate(self, 0, PAGE, true);
        const address = g.out[0];
        yield* g.write32(address, value);
        yield* g.swtch(); // the other task allocates and writes meanwhile
        seen.push([value, yield* g.read32(address)]);
      }, { colocated: true });
    }
    runToIdle(kernel);
    assert.deepEqual(seen.sort((a, b) => a[0] - b[0]), [[0x1111, 0x1111], [0x2222, 0x2222]]);
  });

  it('a kernel-loaded task that terminates takes its stacks out of the kernel map and leaves the rest', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    let keeperAddress = 0;
    const keeper = kernel.startTask('keeper', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, PAGE, true);
      keeperAddress = g.out[0];
      yield* g.write32(keeperAddress, 0xabc);
      yield* g.swtch();
      yield* g.swtch();
      log.push(yield* g.read32(keeperAddress));
    }, { colocated: true });
    const dying = kernel.startTask('dying', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, PAGE, true);
      yield* g.taskTerminate(self);
      log.push(-1);
    }, { colocated: true });
    const stack = dying.stackTop - 4;
    runToIdle(kernel);
    assert.deepEqual(log, [0xabc]);
    assert.equal(kernel.kernelTask.map.lookup(stack), null, 'the dead task\'s stack is unmapped');
    assert.ok(kernel.kernelTask.map.lookup(keeperAddress) !== null);
    assert.ok(keeper.task.map === dying.task.map);
  });
});

describe('mach VM: out-of-line data by virtual copy', () => {
  it('shares the pages copy-on-write: both sides see the data, and writes stay private', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    let port = 0;
    let received = 0;
    let senderAddress = 0;
    let readFirst = false;
    let receiverTask: Task | null = null;
    let senderTask: Task | null = null;
    const receiver = start(kernel, 'receiver', function* (g) {
      port = yield* g.machReplyPort();
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port));
      yield* g.readMessage(['ool']);
      received = g.out[0];
      log.push(g.out[1]);
      log.push(yield* checksum(g, received, 2 * PAGE));
      readFirst = true;
      // wait for the sender to write its copy, then check ours is unchanged
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port));
      log.push(yield* checksum(g, received, 2 * PAGE));
      yield* g.write32(received, 0x11111111);
      log.push(yield* g.read32(received));
    });
    receiverTask = receiver.task;
    kernel.run(() => port !== 0 && receiver.state === 'waiting');
    const sender = kernel.createTask('sender', false);
    senderTask = sender;
    const dest = kernel.grantSendRight(receiver.task, port, sender);
    const thread = kernel.createThread(sender, 'sender', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 2 * PAGE, true);
      senderAddress = g.out[0];
      yield* fill(g, senderAddress, 2 * PAGE, 3);
      log.push(yield* checksum(g, senderAddress, 2 * PAGE));
      const size = yield* g.buildMessage(1, dest, MSG_TYPE.COPY_SEND, 0, 0, ['ool'], [senderAddress, 2 * PAGE]);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      // sleep 1 ms so that the receiver reads its copy first
      const nap = yield* g.machReplyPort();
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, nap, 1);
      yield* g.write32(senderAddress + PAGE, 0x22222222);
      log.push(yield* g.read32(senderAddress + PAGE));
      const ping = yield* g.buildMessage(2, dest, MSG_TYPE.COPY_SEND, 0, 0, [], []);
      yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, ping, 0, 0);
    });
    kernel.resume(thread);
    // stop when the receiver has mapped the region and read it, before anyone writes
    kernel.run(() => readFirst && thread.state === 'waiting');
    const before = kernel.peek32(receiverTask, received);
    assert.equal(before, kernel.peek32(senderTask, senderAddress));
    const receiverPte = receiverTask.map.pmap.lookup(received);
    const senderPte = senderTask.map.pmap.lookup(senderAddress);
    assert.equal(receiverPte & 0xfffff000, senderPte & 0xfffff000, 'the same frame is mapped in both tasks');
    assert.equal(receiverPte & PG_WRITABLE, 0);
    assert.equal(senderPte & (PG_WRITABLE | PG_PRESENT), PG_PRESENT, 'the sender lost write access');
    runToIdle(kernel);
    const [senderSum, sendResult, receiveResult, bytes, receiverSum, senderWrite, , receiverSumAfter, ownWrite] = log;
    assert.equal(senderWrite, 0x22222222);
    assert.equal(sendResult, MACH_MSG.SUCCESS);
    assert.equal(receiveResult, MACH_MSG.SUCCESS);
    assert.equal(bytes, 2 * PAGE);
    assert.equal(receiverSum, senderSum);
    assert.equal(receiverSumAfter, senderSum, 'the sender\'s write did not reach the receiver');
    assert.equal(ownWrite, 0x11111111);
    assert.equal(kernel.peek32(senderTask, senderAddress), (3) | (10 << 8) | (17 << 16) | (24 << 24), 'the receiver\'s write did not reach the sender');
    assert.notEqual(receiverTask.map.pmap.lookup(received) & 0xfffff000, senderTask.map.pmap.lookup(senderAddress) & 0xfffff000);
  });
});

describe('mach VM: external pager', () => {
  it('turns faults on a mapped memory object into data requests and maps the data the pager provides', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    let memoryObject = 0;
    const pager = start(kernel, 'pager', function* (g) {
      memoryObject = yield* g.machReplyPort();
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, PAGE, true);
      const page = g.out[0];
      for (;;) {
        const r = yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 512, memoryObject);
        if (r !== MACH_MSG.SUCCESS) return;
        const request = yield* g.readMessage(['moveSend', 'int', 'int', 'int']);
        log.push(request.id);
        if (request.id === MSG_ID.memoryObjectInit) continue;
        const [control, offset, length] = [g.out[0], g.out[1], g.out[2]];
        log.push(offset, length);
        if (offset >= 4 * PAGE) {
          yield* g.memoryObjectDataError(control, offset, length, KERN.MEMORY_ERROR);
          continue;
        }
        // the page's contents: its offset in every word
        for (let i = 0; i < 4; i++) yield* g.write32(page + 4 * i, offset + i);
        log.push(yield* g.memoryObjectDataProvided(control, offset, page, PAGE));
      }
    });
    kernel.run(() => memoryObject !== 0 && pager.state === 'waiting');
    const client = kernel.createTask('client', false);
    const object = kernel.grantSendRight(pager.task, memoryObject, client);
    const thread = kernel.createThread(client, 'client', function* (g) {
      const self = yield* g.machTaskSelf();
      log.push(yield* g.vmMap(self, 0, 8 * PAGE, true, object, 0, false, VM_PROT.DEFAULT, VM_PROT.ALL));
      const base = g.out[0];
      log.push(yield* g.read32(base + 2 * PAGE + 4));
      log.push(yield* g.read32(base + 2 * PAGE + 8)); // resident now: no request
      log.push(yield* g.read32(base + 4 * PAGE)); // the pager refuses: exception, thread ends
      log.push(-1);
    });
    kernel.resume(thread);
    runToIdle(kernel);
    assert.deepEqual(log, [
      KERN.SUCCESS, // vm_map
      MSG_ID.memoryObjectInit,
      MSG_ID.memoryObjectDataRequest, 2 * PAGE, PAGE, MACH_MSG.SUCCESS,
      2 * PAGE + 1,
      2 * PAGE + 2,
      MSG_ID.memoryObjectDataRequest, 4 * PAGE, PAGE,
    ]);
    assert.equal(thread.state, 'halted');
  });
});

describe('mach VM: task_create with inherited memory', () => {
  it('copies COPY regions copy-on-write, shares SHARE regions and leaves NONE regions out', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    let regions: number[] = [];
    const entry = kernel.registerEntryPoint(function* (g) {
      log.push(yield* g.read32(regions[0]), yield* g.read32(regions[1]));
      yield* g.write32(regions[0], 0xc0c0);
      yield* g.write32(regions[1], 0x5a5a);
      const self = yield* g.machTaskSelf();
      log.push(yield* g.vmProtect(self, regions[2], PAGE, false, VM_PROT.READ)); // not inherited
    });
    start(kernel, 'parent', function* (g) {
      const self = yield* g.machTaskSelf();
      regions = [];
      for (let i = 0; i < 3; i++) {
        yield* g.vmAllocate(self, 0, PAGE, true);
        regions.push(g.out[0]);
        yield* g.write32(g.out[0], 100 + i);
      }
      yield* g.vmInherit(self, regions[1], PAGE, 0 /* SHARE */);
      yield* g.vmInherit(self, regions[2], PAGE, 2 /* NONE */);
      log.push(yield* g.taskCreate(self, true));
      const child = g.out[0];
      yield* g.threadCreate(child, entry);
      yield* g.threadResume(g.out[0]);
      // let the child run
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, yield* g.machReplyPort(), 1);
      log.push(yield* g.read32(regions[0]), yield* g.read32(regions[1]));
    });
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, 100, 101, KERN.INVALID_ADDRESS, 100, 0x5a5a]);
  });
});

describe('mach VM: vm_read and vm_write on another task', () => {
  it('reads another task\'s memory by virtual copy and writes into it', () => {
    const { kernel } = bootMach();
    let address = 0;
    const log: number[] = [];
    const target = start(kernel, 'target', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 2 * PAGE, true);
      address = g.out[0];
      yield* g.write32(address + 8, 0xabcd);
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, yield* g.machReplyPort(), 5);
      log.push(yield* g.read32(address + PAGE + 4));
    });
    kernel.run(() => address !== 0 && target.state === 'waiting');
    const debuggerTask = kernel.createTask('debugger', false);
    const targetPort = kernel.grantKernelPort(debuggerTask, target.task.selfPort);
    kernel.resume(kernel.createThread(debuggerTask, 'debugger', function* (g) {
      log.push(yield* g.vmRead(targetPort, address, PAGE));
      log.push(yield* g.read32(g.out[0] + 8));
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, PAGE, true);
      yield* g.write32(g.out[0] + 4, 0x1234);
      log.push(yield* g.vmWrite(targetPort, address + PAGE, g.out[0], PAGE));
      log.push(yield* g.vmWrite(targetPort, 0x70000000, g.out[0], PAGE));
    }));
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, 0xabcd, KERN.SUCCESS, KERN.INVALID_ADDRESS, 0x1234]);
  });
});
