import * as assert from 'node:assert/strict';
import { Machine } from '../../../engine/machine/machine';
import { KERN, MACH_MSG, MACH_RCV_MSG, MACH_SEND_MSG, MSG_TYPE, VM_PROT } from '../../../engine/mach/machConstants';
import { MachKernel } from '../../../engine/mach/machKernel';
import { defineRoutine } from '../../../engine/mach/mig';

/**
 * Guest programs on the Mach model: whole tasks that use only the guest API (traps and MIG
 * calls), as a Mach application would.
 */
const ECHO = defineRoutine({ name: 'echo_sum', id: 6000, request: ['int', 'ool'], reply: ['int'] });

function boot(): MachKernel {
  return new MachKernel(new Machine({ parameters: { memoryMB: 16 } }));
}

describe('mach guest programs', () => {
  it('a server and three clients: MIG RPCs with out-of-line data, answered in order', () => {
    const kernel = boot();
    let service = 0;
    const server = kernel.startTask('server', function* (g) {
      service = yield* g.machReplyPort();
      const self = yield* g.machTaskSelf();
      yield* g.runMigServer(service, [{
        routine: ECHO,
        *handle(guest, request, reply) {
          const [tag, address, size] = [request[0], request[1], request[2]];
          const data = new Uint8Array(size);
          yield* guest.read(address, data);
          yield* guest.vmDeallocate(self, address, size);
          let sum = tag;
          for (const b of data) sum += b;
          reply[0] = sum;
          return KERN.SUCCESS;
        },
      }]);
    });
    kernel.run(() => service !== 0 && server.state === 'waiting');
    const sums: number[] = [];
    for (let c = 0; c < 3; c++) {
      const task = kernel.createTask(`client${c}`, false);
      const dest = kernel.grantSendRight(server.task, service, task);
      kernel.resume(kernel.createThread(task, `client${c}`, function* (g) {
        const self = yield* g.machTaskSelf();
        yield* g.vmAllocate(self, 0, 3000, true);
        const buffer = g.out[0];
        yield* g.write(buffer, new Uint8Array(3000).fill(c + 1));
        for (let i = 0; i < 2; i++) {
          const r = yield* g.call(ECHO, dest, [1000 * c + i, buffer, 3000]);
          assert.equal(r, KERN.SUCCESS);
          sums.push(g.out[0]);
        }
      }));
    }
    kernel.run(() => false);
    assert.deepEqual([...sums].sort((a, b) => a - b), [3000, 3001, 7000, 7001, 11000, 11001].sort((a, b) => a - b));
  });

  it('two tasks map one memory object: the pager is asked once and both see its data', () => {
    const kernel = boot();
    let object = 0;
    let requests = 0;
    const pager = kernel.startTask('pager', function* (g) {
      object = yield* g.machReplyPort();
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 4096, true);
      const page = g.out[0];
      for (;;) {
        if ((yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 512, object)) !== MACH_MSG.SUCCESS) return;
        const m = yield* g.readMessage(['moveSend', 'int', 'int', 'int']);
        if (m.id !== 2203) continue;
        requests++;
        yield* g.write32(page, 0x5a5a0000 + g.out[1] / 4096);
        yield* g.memoryObjectDataProvided(g.out[0], g.out[1], page, 4096);
      }
    });
    kernel.run(() => object !== 0 && pager.state === 'waiting');
    const values: number[] = [];
    for (const name of ['reader1', 'reader2']) {
      const task = kernel.createTask(name, false);
      const send = kernel.grantSendRight(pager.task, object, task);
      kernel.resume(kernel.createThread(task, name, function* (g) {
        const self = yield* g.machTaskSelf();
        assert.equal(yield* g.vmMap(self, 0, 16384, true, send, 0, false, VM_PROT.DEFAULT, VM_PROT.ALL), KERN.SUCCESS);
        values.push(yield* g.read32(g.out[0] + 3 * 4096));
      }));
    }
    kernel.run(() => false);
    assert.deepEqual(values, [0x5a5a0003, 0x5a5a0003]);
    assert.equal(requests, 1, 'the object is shared: the second task finds the page resident');
  });

  it('a MIG server answers unknown ids with MIG_BAD_ID and stops after maxRequests', () => {
    const kernel = boot();
    let service = 0;
    let serverResult = -1;
    const server = kernel.startTask('server', function* (g) {
      service = yield* g.machReplyPort();
      serverResult = yield* g.runMigServer(service, [{ routine: ECHO, *handle() { return KERN.SUCCESS; } }], 1);
    });
    kernel.run(() => service !== 0 && server.state === 'waiting');
    const task = kernel.createTask('client', false);
    const dest = kernel.grantSendRight(server.task, service, task);
    const results: number[] = [];
    kernel.resume(kernel.createThread(task, 'client', function* (g) {
      results.push(yield* g.call(defineRoutine({ name: 'nope', id: 6099, request: [], reply: [] }), dest, []));
    }));
    kernel.run(() => false);
    assert.deepEqual(results, [-303]);
    assert.equal(serverResult, MACH_MSG.SUCCESS);
  });

  it('ping-pong of 100 messages between two tasks, each carrying a fresh send-once reply right', () => {
    const kernel = boot();
    let port = 0;
    let served = 0;
    const ponger = kernel.startTask('pong', function* (g) {
      port = yield* g.machReplyPort();
      for (;;) {
        if ((yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port)) !== MACH_MSG.SUCCESS) return;
        const m = yield* g.readMessage(['int']);
        served++;
        const size = yield* g.buildMessage(m.id + 1, m.replyPort, MSG_TYPE.MOVE_SEND_ONCE, 0, 0, ['int'], [g.out[0] * 2]);
        yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0);
      }
    });
    kernel.run(() => port !== 0 && ponger.state === 'waiting');
    const task = kernel.createTask('ping', false);
    const dest = kernel.grantSendRight(ponger.task, port, task);
    let total = 0;
    kernel.resume(kernel.createThread(task, 'ping', function* (g) {
      const reply = yield* g.machReplyPort();
      for (let i = 0; i < 100; i++) {
        const size = yield* g.buildMessage(10, dest, MSG_TYPE.COPY_SEND, reply, MSG_TYPE.MAKE_SEND_ONCE, ['int'], [i]);
        assert.equal(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG | MACH_RCV_MSG, size, 256, reply), MACH_MSG.SUCCESS);
        yield* g.readMessage(['int']);
        total += g.out[0];
      }
    }));
    kernel.run(() => false);
    assert.equal(served, 100);
    assert.equal(total, 2 * (99 * 100) / 2);
    assert.equal(task.space.names().length, 2, 'reply port and send right to the server: no leaked send-once rights');
  });
});
