import * as assert from 'node:assert/strict';
import { KernelObjectServer } from '../../../engine/mach/ipcKobject';
import { EXC, I386_SAVED_STATE, KERN, MACH_MSG, MACH_RCV_MSG, MACH_RCV_TIMEOUT, MACH_SEND_MSG, MSG_ID, MSG_TYPE, SWITCH_OPTION, TASK_BASIC_INFO, TASK_BASIC_INFO_COUNT, THREAD_BASIC_INFO, THREAD_BASIC_INFO_COUNT } from '../../../engine/mach/machConstants';
import { MACH_ROUTINES } from '../../../engine/mach/guestApi';
import { TYPE_DEAD_NAME } from '../../../engine/mach/ipcSpace';
import { defineRoutine, THREAD_STATE_WORDS } from '../../../engine/mach/mig';
import { REG, SAVED_STATE_ARGV_STATUS } from '../../../engine/mach/thread';
import type { Task } from '../../../engine/mach/task';
import type { Thread } from '../../../engine/mach/thread';
import { bootMach, runToIdle, start } from './fixtures';
import { CAT } from '../../../engine/machine/cpu';
import type { KernelMessageReader, KernelMessageWriter } from '../../../engine/mach/ipcKobject';

const ADD = defineRoutine({ name: 'add', id: 5000, request: ['int', 'int'], reply: ['int'] });

describe('mach kernel: boot, scheduler, hooks', () => {
  it('gives every task a real page directory sharing the kernel half, and switches CR3 between tasks', () => {
    const { kernel, machine } = bootMach();
    const a = kernel.createTask('a', false);
    const b = kernel.createTask('b', false);
    assert.notEqual(a.map.pmap.directory, b.map.pmap.directory);
    for (const pde of [768, 770]) {
      assert.equal(machine.memory.read32(a.map.pmap.directory + 4 * pde), machine.memory.read32(b.map.pmap.directory + 4 * pde));
      assert.notEqual(machine.memory.read32(a.map.pmap.directory + 4 * pde), 0);
    }
    const order: string[] = [];
    for (const task of [a, b]) {
      const t = kernel.createThread(task, task.name, function* (g) {
        for (let i = 0; i < 3; i++) {
          order.push(task.name);
          yield* g.swtch();
        }
      });
      kernel.resume(t);
    }
    const loads = machine.stats.get('machine.cpu.cr3Loads')!;
    runToIdle(kernel);
    assert.deepEqual(order, ['a', 'b', 'a', 'b', 'a', 'b']);
    assert.ok(machine.stats.get('machine.cpu.cr3Loads')! - loads >= 6);
  });

  it('starts a thread at its task\'s base priority: the one task_set_policy gave the task, else BASEPRI_USER', () => {
    const { kernel } = bootMach();
    const server = kernel.createTask('server', false);
    server.policyPriority = kernel.p.serverPriority;
    const user = kernel.createTask('user', false);
    const body = function* () {};
    assert.equal(kernel.createThread(server, 's', body).priority, kernel.p.serverPriority);
    assert.equal(kernel.createThread(server, 'raised', body, kernel.p.serverPriority - 1).priority, kernel.p.serverPriority - 1);
    assert.equal(kernel.createThread(user, 'u', body).priority, kernel.p.defaultPriority);
  });

  it('runs higher-priority threads first (priority 0 is highest)', () => {
    const { kernel } = bootMach();
    const order: number[] = [];
    const task = kernel.createTask('t', false);
    for (const priority of [20, 5, 12]) {
      kernel.resume(kernel.createThread(task, `p${priority}`, function* () {
        order.push(priority);
      }, priority));
    }
    runToIdle(kernel);
    assert.deepEqual(order, [5, 12, 20]);
  });

  it('charges each clock tick to the interrupted thread\'s user or system timer, which thread_info and task_info report', () => {
    const { kernel, machine } = bootMach();
    kernel.startClock();
    const results: number[][] = [];
    start(kernel, 'timed', function* (g) {
      yield* g.compute(machine.microsecondsToCycles(100_000)); // 100 ms in user mode: 10 ticks
      const self = yield* g.machThreadSelf();
      const kr = yield* g.call(MACH_ROUTINES.threadInfo, self, [THREAD_BASIC_INFO, THREAD_BASIC_INFO_COUNT]);
      results.push([kr, ...Array.from(g.out.subarray(0, 4))]);
      results.push([yield* g.call(MACH_ROUTINES.threadInfo, self, [99, THREAD_BASIC_INFO_COUNT])]);
      const task = yield* g.machTaskSelf();
      results.push([yield* g.call(MACH_ROUTINES.taskInfo, task, [TASK_BASIC_INFO, TASK_BASIC_INFO_COUNT]), g.out[1]]);
    });
    kernel.run(() => results.length === 3);
    machine.pit.stop();
    const [[kr, userSeconds, userMicroseconds, systemSeconds, systemMicroseconds], [badFlavor], [taskKr, virtualSize]] = results;
    assert.equal(kr, KERN.SUCCESS);
    const userUs = userSeconds * 1_000_000 + userMicroseconds;
    assert.ok(userUs >= 90_000 && userUs <= 110_000, `user time ${userUs} µs`);
    assert.ok(systemSeconds * 1_000_000 + systemMicroseconds < userUs, 'the busy loop is user time');
    assert.equal(badFlavor, KERN.INVALID_ARGUMENT);
    assert.equal(taskKr, KERN.SUCCESS);
    assert.ok(virtualSize > 0);
  });

  it('creates tasks and threads through MIG calls on kernel ports (task_create, thread_create, thread_resume)', () => {
    const { kernel } = bootMach();
    const log: number[] = [];
    const entry = kernel.registerEntryPoint(function* (g, argument) {
      log.push(argument, g.thread.task.name === 'task2' ? 1 : 0);
    });
    start(kernel, 'parent', function* (g) {
      const self = yield* g.machTaskSelf();
      log.push(yield* g.taskCreate(self));
      const child = g.out[0];
      log.push(yield* g.threadCreate(child, entry, 42));
      const thread = g.out[0];
      log.push(yield* g.threadResume(thread));
      log.push(yield* g.threadResume(thread)); // not suspended any more
      log.push(yield* g.threadCreate(child, 0x7777, 0));
    });
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, KERN.SUCCESS, KERN.SUCCESS, KERN.FAILURE, KERN.INVALID_ARGUMENT, 42, 1]);
  });

  it('redirects int 0x80 to the task\'s emulator in user mode (syscall redirection hook)', () => {
    const { kernel } = bootMach();
    const seen: number[] = [];
    const thread = start(kernel, 'unix', function* (g) {
      kernel.setSyscallRedirect(g.thread.task, function* (t, registers) {
        seen.push(kernel.cpu.cpl, registers[REG.EAX], registers[REG.EBX]);
        // the emulator may use Mach traps itself
        yield* g.machThreadSelf();
        registers[REG.EAX] = 1234;
        void t;
      });
      seen.push(yield* g.unixSyscall(20, 7));
      kernel.setSyscallRedirect(g.thread.task, null);
      yield* g.unixSyscall(20); // no emulator, no exception port: the thread ends
      seen.push(-1);
    });
    runToIdle(kernel);
    assert.deepEqual(seen, [3, 20, 7, 1234]);
    assert.equal(thread.state, 'halted');
  });

  it('without an emulator, int 0x80 is an EXC_SYSCALL exception_raise_state whose reply sets the registers', () => {
    const { kernel } = bootMach();
    const server = kernel.createTask('server', false);
    const trapName = kernel.allocateReceiveRight(server);
    const trapPort = server.space.objectOf(server.space.lookup(trapName))!;
    const seen: number[] = [];
    kernel.resume(kernel.createThread(server, 'catcher', function* (g) {
      assert.equal(yield* g.serverReplyAndReceive(trapName, 0), KERN.SUCCESS);
      const request = yield* g.readMessage(['int', 'int', 'int', 'int', 'threadState']);
      assert.equal(request.id, MSG_ID.exceptionRaiseState);
      const state = Array.from(g.out.subarray(4, 4 + THREAD_STATE_WORDS));
      seen.push(g.out[0], g.out[1], state[11], state[8]); // exception, code (EAX), EAX, EBX
      state[11] = 1234;
      const size = yield* g.buildReply(KERN.SUCCESS, ['int', 'threadState'], [I386_SAVED_STATE, ...state]);
      yield* g.serverReplyAndReceive(trapName, size, 1, MACH_RCV_TIMEOUT);
    }));
    const client = start(kernel, 'process', function* (g) {
      seen.push(yield* g.unixSyscall(20, 7));
    });
    trapPort.sendRights++;
    client.task.exceptionPort = trapPort;
    runToIdle(kernel);
    assert.deepEqual(seen, [EXC.SYSCALL, 20, 20, 7, 1234]);
    assert.equal(kernel.kmsgs.live, 0);
  });

  it('calls an exception RPC subsystem of a co-located server by thread migration: saved state in place, no kmsg', () => {
    const { kernel } = bootMach();
    const serverTask: Task = kernel.createTask('inkernel', true);
    const trapName = kernel.allocateReceiveRight(serverTask);
    const trapPort = serverTask.space.objectOf(serverTask.space.lookup(trapName))!;
    const seen: number[] = [];
    const object = {
      kind: 'colocated' as const,
      *serve() {
        throw new Error('exception_raise_state must not become a message');
      },
      *raiseState(_thread: unknown, exception: number, code: number, state: Uint32Array) {
        seen.push(exception, code, state[11], state[8], state[SAVED_STATE_ARGV_STATUS], kernel.kmsgs.live);
        state[11] = 1234;
        return KERN.SUCCESS;
      },
    };
    assert.equal(kernel.colocateServer(serverTask, trapName, object), KERN.SUCCESS);
    const client = start(kernel, 'process', function* (g) {
      seen.push(yield* g.unixSyscall(20, 7));
    });
    trapPort.sendRights++;
    client.task.exceptionPort = trapPort;
    runToIdle(kernel);
    assert.deepEqual(seen, [EXC.SYSCALL, 20, 20, 7, 1, 0, 1234]);
    assert.equal(THREAD_STATE_WORDS, 31, 'i386_SAVED_STATE');
  });

  it('keeps each thread\'s saved state when a migrated exception handler blocks while another thread raises', () => {
    const { kernel } = bootMach();
    const serverTask: Task = kernel.createTask('inkernel', true);
    const trapName = kernel.allocateReceiveRight(serverTask);
    const trapPort = serverTask.space.objectOf(serverTask.space.lookup(trapName))!;
    const blocked: { thread: Thread | null } = { thread: null };
    const object = {
      kind: 'colocated' as const,
      *serve() {
        throw new Error('exception_raise_state must not become a message');
      },
      *raiseState(thread: Thread, _exception: number, code: number, state: Uint32Array) {
        if (code === 1) {
          // the first caller sleeps in the handler until the second one wakes it
          blocked.thread = thread;
          yield* kernel.depressIdle(thread);
        } else if (blocked.thread !== null) {
          kernel.depressAbort(serverTask.space, kernel.grantKernelPort(serverTask, blocked.thread.selfPort));
        }
        state[11] = 100 + code;
        return KERN.SUCCESS;
      },
    };
    assert.equal(kernel.colocateServer(serverTask, trapName, object), KERN.SUCCESS);
    const stacks: number[][] = [];
    for (const code of [1, 2]) {
      const client = start(kernel, `process${code}`, function* (g) {
        const before = g.thread.registers[REG.ESP];
        const result = yield* g.unixSyscall(code);
        stacks.push([code, result, before === g.thread.registers[REG.ESP] ? 1 : 0]);
      });
      trapPort.sendRights++;
      client.task.exceptionPort = trapPort;
    }
    runToIdle(kernel);
    assert.deepEqual(stacks.sort((a, b) => a[0] - b[0]), [[1, 101, 1], [2, 102, 1]], 'each thread gets its own registers back');
  });

  it('runs a migrated call at its server task\'s priority and preempts the caller on return for a thread woken at it (switch_act)', () => {
    const { kernel } = bootMach();
    const serverTask: Task = kernel.createTask('inkernel', true);
    serverTask.policyPriority = kernel.p.serverPriority;
    const trapName = kernel.allocateReceiveRight(serverTask);
    const trapPort = serverTask.space.objectOf(serverTask.space.lookup(trapName))!;
    const blocked: { thread: Thread | null } = { thread: null };
    const inServer: number[] = [];
    const object = {
      kind: 'colocated' as const,
      serverTask,
      *serve() {
        throw new Error('exception_raise_state must not become a message');
      },
      *raiseState(thread: Thread, _exception: number, code: number) {
        inServer.push(thread.priority);
        if (code === 1) {
          blocked.thread = thread;
          yield* kernel.depressIdle(thread);
        } else if (blocked.thread !== null) {
          kernel.depressAbort(serverTask.space, kernel.grantKernelPort(serverTask, blocked.thread.selfPort));
        }
        return KERN.SUCCESS;
      },
    };
    assert.equal(kernel.colocateServer(serverTask, trapName, object), KERN.SUCCESS);
    const after: Array<[number, number]> = [];
    for (const code of [1, 2]) {
      const client = start(kernel, `process${code}`, function* (g) {
        yield* g.unixSyscall(code);
        after.push([code, g.thread.priority]);
      });
      trapPort.sendRights++;
      client.task.exceptionPort = trapPort;
    }
    runToIdle(kernel);
    assert.deepEqual(inServer, [kernel.p.serverPriority, kernel.p.serverPriority], 'both calls run at BASEPRI_SERVER');
    assert.deepEqual(after, [[1, kernel.p.defaultPriority], [2, kernel.p.defaultPriority]], 'the woken caller runs first: the waker is preempted when it leaves the server');
  });

  it('short-circuits RPCs to a co-located server into calls, keeping the IPC bookkeeping (co-location hook)', () => {
    const { kernel, machine } = bootMach();
    const serverTask: Task = kernel.createTask('inkernel', true);
    const other = kernel.createTask('other', false);
    const sendOnly = kernel.grantSendRight(other, kernel.allocateReceiveRight(other), serverTask);
    assert.ok(sendOnly > 0);
    const notColocated = kernel.createTask('user', false);
    assert.equal(kernel.colocateServer(notColocated, kernel.allocateReceiveRight(notColocated), null as never), KERN.INVALID_TASK);
    assert.equal(kernel.colocateServer(serverTask, sendOnly, null as never), KERN.INVALID_RIGHT, 'only a receive right can be co-located');
    const receiveName = kernel.allocateReceiveRight(serverTask);
    const calls: number[] = [];
    const routines = new Map([[ADD.id, {
      replyBytes: 8,
      *run(_target: null, args: KernelMessageReader, reply: KernelMessageWriter) {
        const a = args.int();
        const b = args.int();
        calls.push(kernel.cpu.cpl);
        reply.int(a + b);
        return KERN.SUCCESS;
      },
    }]]);
    assert.equal(kernel.colocateServer(serverTask, receiveName, new KernelObjectServer(kernel, 'colocated', null, routines)), KERN.SUCCESS);
    const client = kernel.createTask('client', false);
    const dest = kernel.grantSendRight(serverTask, receiveName, client);
    const results: number[] = [];
    let loads = 0;
    kernel.resume(kernel.createThread(client, 'client', function* (g) {
      yield* g.call(ADD, dest, [1, 2]); // warm: reply port allocation
      loads = machine.stats.get('machine.cpu.cr3Loads')!;
      for (let i = 0; i < 3; i++) {
        results.push(yield* g.call(ADD, dest, [i, 10]), g.out[0]);
      }
      loads = machine.stats.get('machine.cpu.cr3Loads')! - loads;
    }));
    runToIdle(kernel);
    assert.deepEqual(results, [0, 10, 0, 11, 0, 12]);
    assert.equal(loads, 0, 'no address-space switch');
    assert.deepEqual(calls, [0, 0, 0, 0], 'served in the kernel, in the client\'s thread');
    assert.equal(kernel.kmsgs.live, 0);
  });
});

describe('mach kernel: clock and preemption', () => {
  it('preempts compute-bound threads at quantum expiry when the clock runs', () => {
    const { kernel, machine } = bootMach();
    kernel.startClock();
    const order: string[] = [];
    const task = kernel.createTask('t', false);
    for (const name of ['x', 'y']) {
      kernel.resume(kernel.createThread(task, name, function* (g) {
        for (let i = 0; i < 6; i++) {
          yield* g.compute(machine.microsecondsToCycles(50_000)); // 50 ms
          order.push(name);
        }
      }));
    }
    kernel.run(() => order.length >= 12);
    machine.pit.stop();
    assert.ok(kernel.preemptions >= 4, `${kernel.preemptions}`);
    // both made progress before either finished
    assert.ok(order.slice(0, 6).includes('x') && order.slice(0, 6).includes('y'), order.join(''));
  });

  it('takes the clock interrupts and timeouts that came due during a trap on its way back to user mode', () => {
    const { kernel, machine } = bootMach();
    kernel.startClock();
    const ticks: number[] = [];
    let done = false;
    // a thread that only traps and charges user time (no interruptible compute), as lat_pipe's processes do
    start(kernel, 'trapper', function* (g) {
      for (let i = 0; i < 50; i++) {
        yield* g.machThreadSelf();
        machine.cpu.charge(machine.microsecondsToCycles(1000), CAT.user);
      }
      done = true;
    });
    // a thread of higher priority that sleeps 10 ms at a time in a receive timeout (the MkLinux clock thread's shape)
    const server = kernel.createTask('server', false);
    kernel.resume(kernel.createThread(server, 'sleeper', function* (g) {
      const port = yield* g.machReplyPort();
      while (!done) {
        yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 64, port, 10);
        if (!done) ticks.push(machine.scheduler.now);
      }
    }, kernel.p.serverPriority));
    kernel.run(() => done);
    machine.pit.stop();
    const interrupts = machine.stats.get('machine.cpu.interrupts') ?? 0;
    assert.ok(interrupts >= 4, `${interrupts} clock interrupts in 50 ms of traps`);
    assert.ok(ticks.length >= 3, `the 10 ms receive timeout ended ${ticks.length} times while the trapper ran`);
  });
});

describe('mach kernel: task termination', () => {
  it('task_terminate stops all threads, kills the task\'s ports (dead names elsewhere) and frees its address space', () => {
    const { kernel } = bootMach();
    let service = 0;
    const events: string[] = [];
    const victim = start(kernel, 'victim', function* (g) {
      service = yield* g.machReplyPort();
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 16384, true);
      yield* g.touch(g.out[0], 16384, true);
      // nap 1 ms so the test can hand out a send right first
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, yield* g.machReplyPort(), 1);
      events.push('victim: terminating');
      yield* g.taskTerminate(self);
      events.push('victim: still running');
    });
    const sleeper = kernel.createThread(victim.task, 'sleeper', function* (g) {
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, yield* g.machReplyPort());
      events.push('sleeper: woke');
    });
    kernel.resume(sleeper);
    kernel.run(() => service !== 0 && sleeper.state === 'waiting' && victim.state === 'waiting');
    const other = kernel.createTask('other', false);
    const send = kernel.grantSendRight(victim.task, service, other);
    const directory = victim.task.map.pmap.directory;
    runToIdle(kernel);
    assert.deepEqual(events, ['victim: terminating']);
    assert.equal(victim.state, 'halted');
    assert.equal(sleeper.state, 'halted');
    assert.equal(victim.task.active, false);
    assert.equal(kernel.memory.frames.isAllocated(directory), false, 'the page directory was freed');
    const results: number[] = [];
    kernel.resume(kernel.createThread(other, 'other', function* (g) {
      const size = yield* g.buildMessage(1, send, MSG_TYPE.COPY_SEND, 0, 0, [], []);
      results.push(yield* g.machMsg(g.messageBuffer, MACH_SEND_MSG, size, 0, 0));
    }));
    runToIdle(kernel);
    assert.deepEqual(results, [MACH_MSG.SEND_INVALID_DEST]);
    assert.equal(other.space.names().find((n) => n.name === send)?.type, TYPE_DEAD_NAME);
  });
});

describe('mach kernel: statistics and trace points', () => {
  it('declares its statistics and emits trace records when enabled', () => {
    const { kernel, machine } = bootMach();
    machine.trace.enable('mach.');
    start(kernel, 'a', function* (g) {
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 4096, true);
      yield* g.write32(g.out[0], 1);
    });
    runToIdle(kernel);
    const records = machine.trace.drain();
    assert.ok(records.some((r) => r.point === 'mach.msg.send' && r.fields.id === 2021));
    assert.ok(records.some((r) => r.point === 'mach.vm.fault' && r.fields.result === KERN.SUCCESS));
    assert.ok((machine.stats.get('mach.ipc.sends') ?? 0) >= 1);
    assert.equal(machine.stats.get('mach.ipc.kmsgsLive'), 0);
  });
});

describe('mach kernel: thread control', () => {
  it('thread_suspend keeps a thread off the CPU until thread_resume; thread_abort interrupts a receive; thread_terminate ends a blocked thread', () => {
    const { kernel } = bootMach();
    const events: string[] = [];
    const task = kernel.createTask('t', false);
    const worker = kernel.createThread(task, 'worker', function* () {
      events.push('worker ran');
    });
    const waiter = kernel.createThread(task, 'waiter', function* (g) {
      const port = yield* g.machReplyPort();
      const r = yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, port);
      events.push(`waiter: ${r === MACH_MSG.RCV_INTERRUPTED ? 'interrupted' : r}`);
    });
    const sleeper = kernel.createThread(task, 'sleeper', function* (g) {
      yield* g.machMsg(g.messageBuffer, MACH_RCV_MSG, 0, 256, yield* g.machReplyPort());
      events.push('sleeper woke');
    });
    kernel.resume(waiter);
    kernel.resume(sleeper);
    runToIdle(kernel);
    const names = {
      worker: kernel.grantKernelPort(task, worker.selfPort),
      waiter: kernel.grantKernelPort(task, waiter.selfPort),
      sleeper: kernel.grantKernelPort(task, sleeper.selfPort),
    };
    const controller = kernel.createThread(task, 'controller', function* (g) {
      events.push(`suspend ${yield* g.threadSuspend(names.worker)}`); // count 1 → 2
      events.push(`resume ${yield* g.threadResume(names.worker)}`); // 2 → 1: still suspended
      yield* g.swtch();
      events.push('controller: worker still waiting');
      events.push(`abort ${yield* g.threadAbort(names.waiter)}`);
      events.push(`terminate ${yield* g.threadTerminate(names.sleeper)}`);
      yield* g.swtch();
      events.push(`resume ${yield* g.threadResume(names.worker)}`); // 1 → 0: runs
    });
    kernel.resume(controller);
    runToIdle(kernel);
    assert.deepEqual(events, ['suspend 0', 'resume 0', 'controller: worker still waiting', 'abort 0', 'terminate 0', 'waiter: interrupted', 'resume 0', 'worker ran']);
    assert.equal(sleeper.state, 'halted');
  });
});

describe('mach kernel: priority depression (the blocking primitive of OSF MK cthreads)', () => {
  it('thread_switch(SWITCH_OPTION_IDLE) gives up the CPU until thread_depress_abort on the thread\'s port; an abort of an undepressed thread is KERN_NOT_DEPRESSED', () => {
    const { kernel } = bootMach();
    const events: string[] = [];
    const task = kernel.createTask('t', false);
    const sleeper = kernel.createThread(task, 'sleeper', function* (g) {
      events.push('sleeper depresses');
      events.push(`sleeper back: ${yield* g.threadSwitch(0, SWITCH_OPTION.IDLE, 0)}`);
    });
    const name = kernel.grantKernelPort(task, sleeper.selfPort);
    const waker = kernel.createThread(task, 'waker', function* (g) {
      events.push(`bad name: ${yield* g.threadDepressAbort(0x7777)}`);
      yield* g.swtch();
      events.push(`abort: ${yield* g.threadDepressAbort(name)}`);
      events.push(`again: ${yield* g.threadDepressAbort(name)}`);
    });
    kernel.resume(sleeper);
    kernel.resume(waker);
    runToIdle(kernel);
    assert.deepEqual(events, ['sleeper depresses', `bad name: ${KERN.INVALID_ARGUMENT}`, `abort: ${KERN.SUCCESS}`, `again: ${KERN.NOT_DEPRESSED}`, `sleeper back: ${KERN.ABORTED}`]);
    assert.equal(sleeper.depressed, false);
  });

  it('thread_depress_priority and thread_depress_abort_fast each make a splsched/splx pair; the undepressed thread is put back under the abort\'s', () => {
    const { kernel } = bootMach();
    const task = kernel.createTask('t', false);
    const sleeper = kernel.createThread(task, 'sleeper', function* (g) {
      yield* g.threadSwitch(0, SWITCH_OPTION.IDLE, 0);
    });
    const name = kernel.grantKernelPort(task, sleeper.selfPort);
    const waker = kernel.createThread(task, 'waker', function* (g) {
      yield* g.swtch();
      yield* g.threadDepressAbort(name);
    });
    kernel.resume(sleeper);
    kernel.resume(waker);
    const paths: string[] = [];
    const execute = kernel.execute.bind(kernel);
    kernel.execute = (path) => {
      paths.push(path.name);
      execute(path);
    };
    runToIdle(kernel);
    const after = (first: string, count: number) => paths.slice(paths.indexOf(first), paths.indexOf(first) + count);
    assert.deepEqual(after('mach.threadDepress', 3), ['mach.threadDepress', 'mach.splTransition', 'mach.splTransition']);
    assert.deepEqual(after('mach.threadDepressAbort', 5), ['mach.threadDepressAbort', 'mach.splTransition', 'mach.splTransition', 'mach.remRunq', 'mach.threadSetrun']);
  });

  it('thread_switch(SWITCH_OPTION_DEPRESS) lets the other runnable threads run, then undoes its own depression (KERN_SUCCESS)', () => {
    const { kernel } = bootMach();
    const events: string[] = [];
    const task = kernel.createTask('t', false);
    const yielder = kernel.createThread(task, 'yielder', function* (g) {
      events.push(`yielder back: ${yield* g.threadSwitch(0, SWITCH_OPTION.DEPRESS, 10)}`);
    });
    const other = kernel.createThread(task, 'other', function* () {
      events.push('other runs');
    });
    kernel.resume(yielder);
    kernel.resume(other);
    const paths: string[] = [];
    const execute = kernel.execute.bind(kernel);
    kernel.execute = (path) => {
      if (path.name.startsWith('mach.threadDepress')) paths.push(path.name);
      execute(path);
    };
    runToIdle(kernel);
    assert.deepEqual(paths, ['mach.threadDepress', 'mach.threadDepressSelfAbort'], 'thread_depress_priority, then the abort of its own depression');
    assert.deepEqual(events, ['other runs', `yielder back: ${KERN.SUCCESS}`]);
    assert.equal(yielder.depressed, false);
  });
});
