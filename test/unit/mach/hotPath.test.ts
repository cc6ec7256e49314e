import * as assert from 'node:assert/strict';
import { KERN, MACH_MSG, MACH_RCV_MSG, MACH_RCV_TIMEOUT, MACH_SEND_MSG, MSG_TYPE } from '../../../engine/mach/machConstants';
import type { MachKernel } from '../../../engine/mach/machKernel';
import type { MachPath } from '../../../engine/mach/machParameters';
import type { Task } from '../../../engine/mach/task';
import { bootMach, runToIdle, start } from './fixtures';

/** Counts the kernel paths `kernel` runs from now until `stop`, by name without the `mach.` prefix. */
function countPaths(kernel: MachKernel): { counts: Map<string, number>; stop: () => void } {
  const counts = new Map<string, number>();
  const execute = kernel.execute.bind(kernel);
  let counting = true;
  kernel.execute = (path: MachPath) => {
    const name = path.name.slice('mach.'.length);
    if (counting) counts.set(name, (counts.get(name) ?? 0) + 1);
    execute(path);
  };
  return {
    counts,
    stop: () => {
      counting = false;
    },
  };
}

describe('mach IPC: the mach_msg hot path (OSF MK mach_msg_overwrite_trap, NCPUS 1)', () => {
  it('hands an RPC and its reply straight to the waiting thread: no thread_setrun, thread_block or mach_msg_send/receive', () => {
    const { kernel } = bootMach();
    const rounds = 4;
    let service = 0;
    let serverTask: Task | null = null;
    const served: number[] = [];
    const server = start(kernel, 'server', function* (g) {
      service = yield* g.machReplyPort();
      assert.equal(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, service), MACH_MSG.SUCCESS);
      for (;;) {
        const request = yield* g.readMessage(['int']);
        served.push(g.out[0]);
        // the reply on the request's send-once right and the next receive in one mach_msg
        const size = yield* g.buildMessage(request.id + 100, request.replyPort, MSG_TYPE.MOVE_SEND_ONCE, 0, 0, ['int'], [g.out[0] * 2]);
        if ((yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG | MACH_RCV_MSG, size, 256, service)) !== MACH_MSG.SUCCESS) return;
      }
    });
    serverTask = server.task;
    kernel.run(() => service !== 0 && server.state === 'waiting');
    const clientTask = kernel.createTask('client', false);
    const toServer = kernel.grantSendRight(serverTask, service, clientTask);
    const replies: number[] = [];
    let counter = { counts: new Map<string, number>(), stop: (): void => undefined };
    const client = kernel.createThread(clientTask, 'client', function* (g) {
      const reply = yield* g.machReplyPort();
      counter = countPaths(kernel);
      for (let i = 1; i <= rounds; i++) {
        const size = yield* g.buildMessage(500, toServer, MSG_TYPE.COPY_SEND, reply, MSG_TYPE.MAKE_SEND_ONCE, ['int'], [i]);
        assert.equal(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG | MACH_RCV_MSG, size, 256, reply), MACH_MSG.SUCCESS);
        const answer = yield* g.readMessage(['int']);
        assert.equal(answer.id, 600);
        replies.push(g.out[0]);
      }
      counter.stop();
    });
    kernel.resume(client);
    runToIdle(kernel);
    const counts = counter.counts;
    assert.deepEqual(served, [1, 2, 3, 4]);
    assert.deepEqual(replies, [2, 4, 6, 8]);
    // every request and every reply is handed over in the trap that sends it
    assert.equal(counts.get('fastCopyinRequest'), rounds);
    assert.equal(counts.get('fastCopyinReply'), rounds);
    assert.equal(counts.get('fastSendReceive'), 2 * rounds);
    assert.equal(counts.get('fastCopyoutReply'), rounds);
    // the first request reaches the server in its plain receive (mach_msg_receive: ipc_kmsg_copyout, ipc_kmsg_put)
    assert.equal(counts.get('fastCopyoutRequest'), rounds - 1);
    assert.equal(counts.get('copyoutHeader'), 1);
    assert.equal(counts.get('kmsgPut'), 1);
    for (const general of ['threadSetrun', 'threadBlock', 'machMsgSend', 'machMsgReceive', 'mqueueSend', 'kmsgGet']) assert.equal(counts.get(general), undefined, general);
  });

  it('serves an RPC to a kernel port in the trap and takes its reply directly (kernel_send)', () => {
    const { kernel } = bootMach();
    let counts = new Map<string, number>();
    let result = -1;
    start(kernel, 'client', function* (g) {
      const self = yield* g.machTaskSelf();
      const counter = countPaths(kernel);
      counts = counter.counts;
      result = yield* g.vmAllocate(self, 0, 4096, true);
      counter.stop();
    });
    runToIdle(kernel);
    assert.equal(result, KERN.SUCCESS);
    assert.equal(counts.get('fastKernelSend'), 1);
    assert.equal(counts.get('kobjectServer'), 1);
    assert.equal(counts.get('fastCopyoutReply'), 1);
    for (const general of ['mqueueSend', 'mqueueReceive', 'mqueueReceiveWait', 'threadBlock']) assert.equal(counts.get(general), undefined, general);
  });

  it('falls back to ipc_mqueue_send and ipc_mqueue_receive when nobody waits on the destination', () => {
    const { kernel } = bootMach();
    let service = 0;
    let serverTask: Task | null = null;
    const server = start(kernel, 'server', function* (g) {
      service = yield* g.machReplyPort();
      const elsewhere = yield* g.machReplyPort();
      // waits elsewhere (and times out) while the client's request is queued on the service port
      assert.equal(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, elsewhere, 1), MACH_MSG.RCV_TIMED_OUT);
      assert.equal(yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, service), MACH_MSG.SUCCESS);
      const request = yield* g.readMessage(['int']);
      const size = yield* g.buildMessage(request.id + 100, request.replyPort, MSG_TYPE.MOVE_SEND_ONCE, 0, 0, ['int'], [g.out[0] + 1]);
      assert.equal(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0), MACH_MSG.SUCCESS);
    });
    serverTask = server.task;
    kernel.run(() => service !== 0 && server.state === 'waiting');
    const clientTask = kernel.createTask('client', false);
    const toServer = kernel.grantSendRight(serverTask, service, clientTask);
    let answer = -1;
    let counts = new Map<string, number>();
    const client = kernel.createThread(clientTask, 'client', function* (g) {
      const reply = yield* g.machReplyPort();
      const counter = countPaths(kernel);
      counts = counter.counts;
      const size = yield* g.buildMessage(700, toServer, MSG_TYPE.COPY_SEND, reply, MSG_TYPE.MAKE_SEND_ONCE, ['int'], [41]);
      assert.equal(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG | MACH_RCV_MSG, size, 256, reply), MACH_MSG.SUCCESS);
      counter.stop();
      yield* g.readMessage(['int']);
      answer = g.out[0];
    });
    kernel.resume(client);
    runToIdle(kernel);
    assert.equal(answer, 42);
    assert.equal(counts.get('fastSendReceive'), undefined);
    assert.equal(counts.get('fastSlowPath'), 1);
    assert.equal(counts.get('kmsgEnqueue'), 1);
    assert.equal(counts.get('mqueueReceiveWait'), 1);
    // the server's plain reply wakes the client through thread_go
    assert.equal(counts.get('mqueueWakeReceiver'), 1);
  });
});
