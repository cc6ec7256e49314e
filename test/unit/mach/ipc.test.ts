import * as assert from 'node:assert/strict';
import { IE_BITS, IE_GEN_SHIFT, TYPE_DEAD_NAME, TYPE_RECEIVE, TYPE_SEND } from '../../../engine/mach/ipcSpace';
import {
  KERN,
  MACH_MSG,
  MACH_PORT_RIGHT,
  MACH_RCV_LARGE,
  MACH_RCV_MSG,
  MACH_RCV_TIMEOUT,
  MACH_SEND_MSG,
  MACH_SEND_TIMEOUT,
  MSG_TYPE,
} from '../../../engine/mach/machConstants';
import type { MachGuest } from '../../../engine/mach/guestApi';
import type { MachKernel } from '../../../engine/mach/machKernel';
import type { Task } from '../../../engine/mach/task';
import { bootMach, runToIdle, start } from './fixtures';

/** Sends a simple message with `count` ints to `name` (COPY_SEND), no reply port. */
function* sendInts(g: MachGuest, name: number, id: number, values: number[], option = MACH_SEND_MSG, timeout = 0) {
  const size = yield* g.buildMessage(id, name, MSG_TYPE.COPY_SEND, 0, 0, values.map(() => 'int' as const), values);
  return yield* g.machMsg(g.messageBuffer, option, size, 0, 0, timeout);
}

function entryOf(kernel: MachKernel, task: Task, name: number) {
  return task.space.names().find((n) => n.name === name);
}

describe('mach IPC: name spaces', () => {
  it('gives one name per port and counts user references (mach_thread_self twice)', () => {
    const { kernel } = bootMach();
    const names: number[] = [];
    const thread = start(kernel, 'a', function* (g) {
      names.push(yield* g.machThreadSelf(), yield* g.machThreadSelf(), yield* g.machTaskSelf());
    });
    runToIdle(kernel);
    assert.equal(names[0], names[1]);
    assert.notEqual(names[0], names[2]);
    const entry = entryOf(kernel, thread.task, names[0])!;
    assert.equal(entry.type, TYPE_SEND);
    assert.equal(entry.urefs, 2);
    assert.equal(entry.port, thread.selfPort);
  });

  it('keeps entries in simulated memory and advances the generation when a name is reused', () => {
    const { kernel, machine } = bootMach();
    const names: number[] = [];
    const results: number[] = [];
    const thread = start(kernel, 'a', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.machPortAllocate(self, MACH_PORT_RIGHT.RECEIVE);
      names.push(g.out[0]);
      results.push(yield* g.machPortDestroy(self, g.out[0]));
      yield* g.machPortAllocate(self, MACH_PORT_RIGHT.RECEIVE);
      names.push(g.out[0]);
      // the old name is now invalid
      results.push(yield* sendInts(g, names[0], 1, [1]));
    });
    runToIdle(kernel);
    assert.equal(names[0] >>> 8, names[1] >>> 8, 'same table index');
    assert.notEqual(names[0] & 0xff, names[1] & 0xff, 'new generation');
    assert.deepEqual(results, [KERN.SUCCESS, MACH_MSG.SEND_INVALID_DEST]);
    const space = thread.task.space;
    const bits = machine.memory.read32(space.entryAddress(names[1] >>> 8) + IE_BITS - 0xc0000000);
    assert.equal(bits >>> IE_GEN_SHIFT, names[1] & 0xff);
    assert.equal(bits & TYPE_RECEIVE, TYPE_RECEIVE);
  });

  it('translates names per task: the same port has different names in two spaces', () => {
    const { kernel } = bootMach();
    let portName = 0;
    const a = start(kernel, 'a', function* (g) {
      yield* g.machPortAllocate(yield* g.machTaskSelf());
      portName = g.out[0];
    });
    runToIdle(kernel);
    const b = kernel.createTask('b', false);
    kernel.grantSendRight(a.task, portName, b);
    kernel.grantSendRight(a.task, portName, b);
    const inB = b.space.names().filter((n) => n.port === entryOf(kernel, a.task, portName)!.port);
    assert.equal(inB.length, 1);
    assert.equal(inB[0].urefs, 2);
    assert.equal(inB[0].type, TYPE_SEND);
  });
});

describe('mach IPC: messages and rights', () => {
  it('queues messages FIFO with their data and reports the queue limit with a zero send timeout', () => {
    const { kernel } = bootMach();
    const got: number[] = [];
    const results: number[] = [];
    start(kernel, 'a', function* (g) {
      const port = yield* g.machReplyPort();
      for (let i = 0; i < 5; i++) {
        const size = yield* g.buildMessage(10 + i, port, MSG_TYPE.MAKE_SEND, 0, 0, ['int'], [100 + i]);
        results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      }
      const size = yield* g.buildMessage(99, port, MSG_TYPE.MAKE_SEND, 0, 0, ['int'], [0]);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, 0, 0));
      for (let i = 0; i < 5; i++) {
        results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port));
        const m = yield* g.readMessage(['int']);
        got.push(m.id, g.out[0]);
      }
    });
    runToIdle(kernel);
    assert.deepEqual(results.slice(0, 6), [0, 0, 0, 0, 0, MACH_MSG.SEND_TIMED_OUT]);
    assert.deepEqual(got, [10, 100, 11, 101, 12, 102, 13, 103, 14, 104]);
  });

  it('times out a receive after the requested time and wakes a blocked receiver on send', () => {
    const { kernel, machine } = bootMach();
    const results: number[] = [];
    let elapsed = 0;
    start(kernel, 'a', function* (g) {
      const port = yield* g.machReplyPort();
      const before = machine.now;
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, port, 5));
      elapsed = machine.now - before;
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, port, 0));
    });
    runToIdle(kernel);
    assert.deepEqual(results, [MACH_MSG.RCV_TIMED_OUT, MACH_MSG.RCV_TIMED_OUT]);
    assert.ok(elapsed >= 5 * 133_000 && elapsed < 6 * 133_000, `elapsed ${elapsed}`);
  });

  it('returns MACH_RCV_TOO_LARGE, keeping the message queued with MACH_RCV_LARGE and destroying it without', () => {
    const { kernel } = bootMach();
    const results: number[] = [];
    start(kernel, 'a', function* (g) {
      const port = yield* g.machReplyPort();
      for (let round = 0; round < 2; round++) {
        const size = yield* g.buildMessage(5, port, MSG_TYPE.MAKE_SEND, 0, 0, ['int', 'int', 'int', 'int'], [1, 2, 3, 4]);
        results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      }
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_LARGE, 0, 32, port));
      results.push(yield* g.read32(g.messageBuffer + 4)); // msgh_size reported
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port)); // still there
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 32, port)); // destroyed
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, port, 0));
    });
    runToIdle(kernel);
    assert.deepEqual(results, [0, 0, MACH_MSG.RCV_TOO_LARGE, 56, 0, MACH_MSG.RCV_TOO_LARGE, MACH_MSG.RCV_TIMED_OUT]);
  });

  it('transfers send rights in the body and send-once rights as reply ports; a send-once right is used up', () => {
    const { kernel } = bootMach();
    let service = 0;
    const log: number[] = [];
    let serverTask: Task | null = null;
    const server = start(kernel, 'server', function* (g) {
      service = yield* g.machReplyPort();
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, service));
      const request = yield* g.readMessage(['moveSend']);
      log.push(request.replyType);
      const gift = g.out[0];
      // reply on the send-once right, twice: the second must fail
      for (let i = 0; i < 2; i++) {
        const size = yield* g.buildMessage(200, request.replyPort, MSG_TYPE.MOVE_SEND_ONCE, 0, 0, ['int'], [gift]);
        log.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      }
      // use the send right we were given
      const size = yield* g.buildMessage(201, gift, MSG_TYPE.COPY_SEND, 0, 0, ['int'], [7]);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
    });
    serverTask = server.task;
    kernel.run(() => service !== 0 && server.state === 'waiting');
    const clientTask = kernel.createTask('client', false);
    const toServer = kernel.grantSendRight(serverTask, service, clientTask);
    const client = kernel.createThread(clientTask, 'client', function* (g) {
      const reply = yield* g.machReplyPort();
      const inbox = yield* g.machReplyPort();
      const size = yield* g.buildMessage(100, toServer, MSG_TYPE.COPY_SEND, reply, MSG_TYPE.MAKE_SEND_ONCE, ['makeSend'], [inbox]);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, reply));
      log.push((yield* g.readMessage(['int'])).id);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, inbox));
      log.push((yield* g.readMessage(['int'])).id, g.out[0]);
    });
    kernel.resume(client);
    runToIdle(kernel);
    // server: receive ok, reply type PORT_SEND_ONCE, first reply ok, second invalid dest, send ok
    assert.deepEqual(log.filter((_, i) => i < 1), [0]);
    assert.ok(log.includes(MACH_MSG.SEND_INVALID_DEST));
    assert.ok(log.includes(MSG_TYPE.MOVE_SEND_ONCE));
    assert.deepEqual(log.slice(-6), [0, 0, 200, 0, 201, 7]);
    // the send-once right is gone from the server's space; the gift is a send right there
    const serverNames = serverTask.space.names();
    assert.equal(serverNames.filter((n) => (n.type & TYPE_SEND) !== 0 && n.port?.receiver === clientTask.space).length, 1);
    assert.equal(serverNames.filter((n) => n.type === 1 << 18).length, 0);
  });

  it('turns send rights into dead names when the receive right is destroyed', () => {
    const { kernel } = bootMach();
    let portName = 0;
    const owner = start(kernel, 'owner', function* (g) {
      yield* g.machPortAllocate(yield* g.machTaskSelf());
      portName = g.out[0];
    });
    runToIdle(kernel);
    const other = kernel.createTask('other', false);
    const sendName = kernel.grantSendRight(owner.task, portName, other);
    const results: number[] = [];
    const destroyer = kernel.createThread(owner.task, 'destroyer', function* (g) {
      results.push(yield* g.machPortDestroy(yield* g.machTaskSelf(), portName));
    });
    kernel.resume(destroyer);
    runToIdle(kernel);
    const user = kernel.createThread(other, 'user', function* (g) {
      results.push(yield* sendInts(g, sendName, 1, [1]));
      results.push(yield* g.machPortDeallocate(yield* g.machTaskSelf(), sendName));
    });
    kernel.resume(user);
    runToIdle(kernel);
    assert.deepEqual(results, [KERN.SUCCESS, MACH_MSG.SEND_INVALID_DEST, KERN.SUCCESS]);
    assert.equal(other.space.names().filter((n) => n.type === TYPE_DEAD_NAME).length, 0, 'the dead name was deallocated');
  });

  it('wakes a receiver blocked on a port that dies with MACH_RCV_PORT_DIED', () => {
    const { kernel } = bootMach();
    let port = 0;
    const results: number[] = [];
    const waiter = start(kernel, 'w', function* (g) {
      port = yield* g.machReplyPort();
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port));
    });
    kernel.run(() => waiter.state === 'waiting');
    kernel.portDestroy(waiter.task, port);
    runToIdle(kernel);
    assert.deepEqual(results, [MACH_MSG.RCV_PORT_DIED]);
  });

  it('validates the whole message before taking any right (MACH_SEND_INVALID_RIGHT changes nothing)', () => {
    const { kernel } = bootMach();
    const results: number[] = [];
    let task: Task | null = null;
    let dest = 0;
    const t = start(kernel, 'a', function* (g) {
      dest = yield* g.machReplyPort();
      // a send right with two user references to move
      const self = yield* g.machTaskSelf();
      yield* g.machPortInsertRight(self, dest, dest, 'makeSend');
      yield* g.machPortInsertRight(self, dest, dest, 'makeSend');
      const size = yield* g.buildMessage(1, dest, MSG_TYPE.MOVE_SEND, 0, 0, ['copySend'], [0x4242]);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      const bad = yield* g.buildMessage(1, dest, MSG_TYPE.COPY_SEND, 0x999, MSG_TYPE.MAKE_SEND_ONCE, [], []);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, bad, 0, 0));
      const header = yield* g.buildMessage(1, dest, 0x55, 0, 0, [], []);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, header, 0, 0));
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, 16, 0, 0));
    });
    task = t.task;
    runToIdle(kernel);
    assert.deepEqual(results, [MACH_MSG.SEND_INVALID_RIGHT, MACH_MSG.SEND_INVALID_REPLY, MACH_MSG.SEND_INVALID_HEADER, MACH_MSG.SEND_MSG_TOO_SMALL]);
    const entry = task.space.names().find((n) => n.name === dest)!;
    assert.equal(entry.type, TYPE_SEND | TYPE_RECEIVE);
    assert.equal(entry.urefs, 2, 'the MOVE_SEND of the failed message was not taken');
    assert.equal(kernel.kmsgs.live, 0, 'every kmsg was freed');
  });
});

describe('mach IPC: blocked senders', () => {
  it('blocks a sender on a full queue until a receiver makes room, or until its send timeout', () => {
    const { kernel, machine } = bootMach();
    const log: number[] = [];
    let port = 0;
    const receiver = start(kernel, 'r', function* (g) {
      port = yield* g.machReplyPort();
      // let the sender fill the queue and block, then drain one message
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, yield* g.machReplyPort(), 2);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port));
    });
    kernel.run(() => port !== 0 && receiver.state === 'waiting');
    const task = kernel.createTask('s', false);
    const dest = kernel.grantSendRight(receiver.task, port, task);
    let blockedFor = 0;
    kernel.resume(kernel.createThread(task, 's', function* (g) {
      for (let i = 0; i < 5; i++) yield* sendInts(g, dest, i, [i]);
      const before = machine.now;
      log.push(yield* sendInts(g, dest, 5, [5])); // blocks until the receiver takes one
      blockedFor = machine.now - before;
      log.push(yield* sendInts(g, dest, 6, [6], MACH_SEND_MSG | MACH_SEND_TIMEOUT, 1)); // full again: times out
    }));
    runToIdle(kernel);
    assert.deepEqual(log, [MACH_MSG.SUCCESS, MACH_MSG.SUCCESS, MACH_MSG.SEND_TIMED_OUT]);
    assert.ok(blockedFor > 133_000, `${blockedFor}`);
  });
});

describe('mach IPC: more validity checks', () => {
  it('rejects unmapped out-of-line memory (MACH_SEND_INVALID_MEMORY), receive on a send right (MACH_RCV_INVALID_NAME) and a misaligned size', () => {
    const { kernel } = bootMach();
    const results: number[] = [];
    start(kernel, 'a', function* (g) {
      const port = yield* g.machReplyPort();
      const size = yield* g.buildMessage(1, port, MSG_TYPE.MAKE_SEND, 0, 0, ['ool'], [0x50000000, 8192]);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
      const self = yield* g.machTaskSelf();
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, self, 0));
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, 0x12345, 0));
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, 30, 0, 0));
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, port, 0));
    });
    runToIdle(kernel);
    assert.deepEqual(results, [MACH_MSG.SEND_INVALID_MEMORY, MACH_MSG.RCV_INVALID_NAME, MACH_MSG.RCV_INVALID_NAME, MACH_MSG.SEND_INVALID_DATA, MACH_MSG.RCV_TIMED_OUT]);
    assert.equal(kernel.kmsgs.live, 0);
  });
});

describe('mach IPC: port sets', () => {
  it('receives from any member of a set, FIFO across members; a member cannot be received on directly', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    start(kernel, 'a', function* (g) {
      const self = yield* g.machTaskSelf();
      const a = yield* g.machReplyPort();
      const b = yield* g.machReplyPort();
      // a message queued before a joins the set moves with it
      log.push(yield* sendInts(g, yield* sendRight(g, self, a), 1, [1]));
      log.push(yield* g.machPortAllocate(self, MACH_PORT_RIGHT.PORT_SET));
      const set = g.out[0];
      log.push(yield* g.machPortMoveMember(self, a, set), yield* g.machPortMoveMember(self, b, set));
      log.push(yield* sendInts(g, yield* sendRight(g, self, b), 2, [2]));
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, a, 0));
      for (let i = 0; i < 2; i++) {
        log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, set));
        const m = yield* g.readMessage(['int']);
        log.push(m.id, m.localPort === (i === 0 ? a : b) ? 1 : 0);
      }
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, set, 0));
      // out of the set again: b can be received on directly
      log.push(yield* g.machPortMoveMember(self, b, 0));
      log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, b, 0));
    });
    runToIdle(kernel);
    assert.deepEqual(log, [0, 0, 0, 0, 0, MACH_MSG.RCV_IN_SET, 0, 1, 1, 0, 2, 1, MACH_MSG.RCV_TIMED_OUT, 0, MACH_MSG.RCV_TIMED_OUT]);
  });

  it('wakes a receiver blocked on a set when a message arrives on any member', () => {
    const { kernel } = bootMach();
    let ready = false;
    let member = 0;
    const got: number[] = [];
    const receiver = start(kernel, 'r', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.machPortAllocate(self, MACH_PORT_RIGHT.PORT_SET);
      const set = g.out[0];
      for (let i = 0; i < 3; i++) {
        const port = yield* g.machReplyPort();
        yield* g.machPortMoveMember(self, port, set);
        member = port;
      }
      ready = true;
      got.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, set));
      got.push((yield* g.readMessage(['int'])).id);
    });
    kernel.run(() => ready && receiver.state === 'waiting');
    const other = kernel.createTask('s', false);
    const dest = kernel.grantSendRight(receiver.task, member, other);
    kernel.resume(kernel.createThread(other, 's', function* (g) {
      yield* sendInts(g, dest, 77, [0]);
    }));
    runToIdle(kernel);
    assert.deepEqual(got, [0, 77]);
  });
});

function* sendRight(g: MachGuest, self: number, receive: number) {
  yield* g.machPortInsertRight(self, receive, receive, 'makeSend');
  return receive;
}

describe('mach IPC: send-once notifications', () => {
  it('a send-once right destroyed unused sends MACH_NOTIFY_SEND_ONCE to its port (the RPC client learns no reply will come)', () => {
    const { kernel } = bootMach();
    let service = 0;
    const server = start(kernel, 'server', function* (g) {
      service = yield* g.machReplyPort();
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, service);
      const request = yield* g.readMessage([]);
      // drop the reply right instead of answering
      yield* g.machPortDeallocate(yield* g.machTaskSelf(), request.replyPort);
    });
    kernel.run(() => service !== 0 && server.state === 'waiting');
    const client = kernel.createTask('client', false);
    const dest = kernel.grantSendRight(server.task, service, client);
    const log: number[] = [];
    kernel.resume(kernel.createThread(client, 'client', function* (g) {
      const reply = yield* g.machReplyPort();
      const size = yield* g.buildMessage(1, dest, MSG_TYPE.COPY_SEND, reply, MSG_TYPE.MAKE_SEND_ONCE, [], []);
      log.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG | MACH_RCV_MSG, size, 256, reply));
      log.push((yield* g.readMessage([])).id);
    }));
    runToIdle(kernel);
    assert.deepEqual(log, [MACH_MSG.SUCCESS, 0o107]);
  });
});

describe('mach IPC: dead-name notifications', () => {
  it('tells a send-right holder that asked when the port dies, and says port-deleted if it let go first', () => {
    const { kernel } = bootMach();
    let a = 0;
    let b = 0;
    const owner = start(kernel, 'owner', function* (g) {
      a = yield* g.machReplyPort();
      b = yield* g.machReplyPort();
    });
    runToIdle(kernel);
    const watcher = kernel.createTask('watcher', false);
    const sendA = kernel.grantSendRight(owner.task, a, watcher);
    const sendB = kernel.grantSendRight(owner.task, b, watcher);
    const log: number[] = [];
    let armed = false;
    const thread = kernel.createThread(watcher, 'watcher', function* (g) {
      const self = yield* g.machTaskSelf();
      const inbox = yield* g.machReplyPort();
      log.push(yield* g.machPortRequestDeadName(self, sendA, inbox));
      log.push(yield* g.machPortRequestDeadName(self, sendB, inbox));
      log.push(yield* g.machPortDeallocate(self, sendB)); // → port-deleted for sendB
      armed = true;
      for (let i = 0; i < 2; i++) {
        log.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, inbox));
        const m = yield* g.readMessage(['int']); // a PORT_NAME item: the name, uninterpreted
        log.push(m.id, g.out[0] === (m.id === 0o110 ? sendA : sendB) ? 1 : 0);
      }
    });
    kernel.resume(thread);
    kernel.run(() => armed && thread.state === 'waiting');
    kernel.portDestroy(owner.task, a);
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, KERN.SUCCESS, KERN.SUCCESS, 0, 0o101, 1, 0, 0o110, 1]);
  });
});

describe('mach IPC: mach_port_insert_right', () => {
  it('installs a right under a chosen name, merging with the same port and refusing clashes', () => {
    const { kernel } = bootMach();
    const results: number[] = [];
    let childTask: Task | null = null;
    let got = 0;
    const entry = kernel.registerEntryPoint(function* (g) {
      // the child finds the parent's port under the agreed name 0x4401
      const size = yield* g.buildMessage(9, 0x4401, MSG_TYPE.COPY_SEND, 0, 0, [], []);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
    });
    start(kernel, 'parent', function* (g) {
      const self = yield* g.machTaskSelf();
      const port = yield* g.machReplyPort();
      const other = yield* g.machReplyPort();
      yield* g.taskCreate(self);
      const child = g.out[0];
      results.push(yield* g.machPortInsertRight(child, 0x4401, port, 'makeSend'));
      results.push(yield* g.machPortInsertRight(child, 0x4401, port, 'makeSend')); // merges: urefs 2
      results.push(yield* g.machPortInsertRight(child, 0x4401, other, 'makeSend')); // name taken
      results.push(yield* g.machPortInsertRight(child, 0x9901, port, 'makeSend')); // port already named
      results.push(yield* g.machPortInsertRight(child, 0x20001, other, 'makeSendOnce')); // beyond the table: it grows
      yield* g.threadCreate(child, entry);
      yield* g.threadResume(g.out[0]);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port));
      got = (yield* g.readMessage([])).id;
      childTask = kernel.tasks[kernel.tasks.length - 1];
    });
    runToIdle(kernel);
    assert.deepEqual(results, [KERN.SUCCESS, KERN.SUCCESS, KERN.NAME_EXISTS, KERN.RIGHT_EXISTS, KERN.SUCCESS, MACH_MSG.SUCCESS, MACH_MSG.SUCCESS]);
    assert.equal(got, 9);
    const names = childTask!.space.names();
    assert.equal(names.find((n) => n.name === 0x4401)?.urefs, 2);
    assert.equal(names.find((n) => n.name === 0x20001)?.type, 1 << 18);
  });
});
