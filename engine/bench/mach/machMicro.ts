import { scaleBreakdown } from '../../base/cycleAccounting';
import type { CycleBreakdown } from '../../base/cycleCategory';
import { Machine, type MachineOptions } from '../../machine/machine';
import { KERN, MACH_PORT_RIGHT } from '../../mach/machConstants';
import { MachKernel, type MachKernelOptions } from '../../mach/machKernel';
import { defineRoutine } from '../../mach/mig';
import { REG } from '../../mach/thread';
import { KernelObjectServer } from '../../mach/ipcKobject';

/** One Mach microbenchmark result: cycles per operation and where they went. */
export interface MachMicroResult {
  readonly id:
    | 'null-trap'
    | 'null-rpc'
    | 'ool-64k'
    | 'null-trap-l1cold'
    | 'null-rpc-l1cold'
    | 'null-rpc-colocated'
    | 'null-rpc-colocated-l1cold'
    | 'redirected-syscall'
    | 'redirected-syscall-colocated';
  readonly what: string;
  readonly iterations: number;
  readonly cycles: number;
  readonly microseconds: number;
  readonly breakdown: CycleBreakdown;
  /** The published figure it is compared with, in cycles of the machine named: context, never a target. */
  readonly reference: { readonly cycles: number; readonly machine: '486/50' | 'P133'; readonly source: string };
}

export interface MachMicroOptions {
  readonly machine?: MachineOptions;
  readonly kernel?: MachKernelOptions;
  readonly iterations?: number;
  readonly warmup?: number;
  /**
   * Empty the L1 caches and the TLBs before every operation (free of charge), as if a user
   * working set larger than L1 had run in between: the operation then pays for its own cache
   * and TLB footprint (L2 stays warm).
   */
  readonly coldL1?: boolean;
}

/** Drops L1 I/D contents and all TLB entries without charging time. */
function coolL1(machine: Machine): void {
  machine.caches.l1i.flush();
  machine.caches.l1d.flush();
  machine.cpu.dtlb.flush();
  machine.cpu.dtlbLarge.flush();
  machine.cpu.itlb.flush();
}

/** The null RPC of the microbenchmark: no arguments, RetCode only. */
export const NULL_RPC = defineRoutine({ name: 'null_rpc', id: 4000, request: [], reply: [] });
/** An RPC carrying one out-of-line region. */
export const OOL_RPC = defineRoutine({ name: 'ool_rpc', id: 4001, request: ['ool'], reply: [] });

function boot(options: MachMicroOptions): { machine: Machine; kernel: MachKernel } {
  const machine = new Machine({ ...options.machine, parameters: { memoryMB: 32, ...options.machine?.parameters } });
  return { machine, kernel: new MachKernel(machine, options.kernel) };
}

interface Window {
  start: number;
  end: number;
  breakdown: CycleBreakdown;
}

function measureWindow(machine: Machine): { begin(): void; end(): void; window: Window } {
  const window: Window = { start: 0, end: 0, breakdown: {} };
  return {
    window,
    begin() {
      machine.accounting.reset();
      window.start = machine.now;
    },
    end() {
      window.end = machine.now;
      window.breakdown = machine.accounting.breakdown();
    },
  };
}

function result(machine: Machine, id: MachMicroResult['id'], what: string, iterations: number, window: Window, reference: MachMicroResult['reference']): MachMicroResult {
  const cycles = (window.end - window.start) / iterations;
  if (!(window.end > window.start)) throw new Error(`mach micro ${id}: the measured loop did not run`);
  const breakdown = scaleBreakdown(window.breakdown, iterations);
  for (const key of Object.keys(breakdown) as Array<keyof CycleBreakdown>) breakdown[key] = Math.round(breakdown[key]! * 10) / 10;
  return { id, what, iterations, cycles: Math.round(cycles), microseconds: Math.round((cycles / machine.parameters.clockMHz) * 100) / 100, breakdown, reference };
}

/**
 * Null kernel call: mach_thread_self (the "get_self_thread" of SOSP'95 §4.1.1) in a loop. The
 * trap translates the thread's port into a send right in the caller's space, as the real call
 * does.
 */
export function machNullTrap(options: MachMicroOptions = {}): MachMicroResult {
  const { machine, kernel } = boot(options);
  const iterations = options.iterations ?? 200;
  const warmup = options.warmup ?? 20;
  const meter = measureWindow(machine);
  kernel.startTask('client', function* (guest) {
    for (let i = 0; i < warmup; i++) yield* guest.machThreadSelf();
    meter.begin();
    for (let i = 0; i < iterations; i++) {
      if (options.coldL1 === true) coolL1(machine);
      yield* guest.machThreadSelf();
    }
    meter.end();
  });
  kernel.run();
  const cold = options.coldL1 === true;
  return result(machine, cold ? 'null-trap-l1cold' : 'null-trap', `mach_thread_self() trap${cold ? ', L1 and TLBs empty before each call' : ''}`, iterations, meter.window, { cycles: 900, machine: '486/50', source: 'SOSP95 §4.1.1: Mach get_self_thread 18 µs on a 486/50' });
}

/**
 * RPC between two tasks with MIG stubs: the client calls mach_msg(SEND|RCV) with a send-once
 * reply right; the server loops in mach_msg(SEND reply | RCV next) (mach_msg_server). Both are
 * user tasks with their own address spaces, so every message switches CR3.
 */
function rpcBenchmark(options: MachMicroOptions, oolBytes: number): { machine: Machine; window: Window; iterations: number } {
  const { machine, kernel } = boot(options);
  const iterations = options.iterations ?? (oolBytes > 0 ? 40 : 200);
  const warmup = options.warmup ?? 10;
  const meter = measureWindow(machine);
  let serverPort = -1;
  const server = kernel.startTask('server', function* (guest) {
    const self = yield* guest.machTaskSelf();
    if ((yield* guest.machPortAllocate(self, MACH_PORT_RIGHT.RECEIVE)) !== KERN.SUCCESS) throw new Error('port allocation failed');
    serverPort = guest.out[0];
    let replySize = 0;
    for (;;) {
      const received = yield* guest.serverReplyAndReceive(serverPort, replySize);
      if (received !== KERN.SUCCESS) throw new Error(`server receive failed: 0x${received.toString(16)}`);
      if (oolBytes > 0) {
        const request = yield* guest.readMessage(OOL_RPC.request);
        // the region arrived copy-on-write in our space; release it like a real server
        yield* guest.vmDeallocate(self, guest.out[0], guest.out[1]);
        if (request.id !== OOL_RPC.id) throw new Error('unexpected request');
      }
      replySize = yield* guest.buildReply(KERN.SUCCESS);
    }
  });
  kernel.run(() => serverPort > 0 && server.state === 'waiting');
  const clientTask = kernel.createTask('client', false);
  const destination = kernel.grantSendRight(server.task, serverPort, clientTask);
  const client = kernel.createThread(clientTask, 'client.main', function* (guest) {
    const values = [0, oolBytes];
    if (oolBytes > 0) {
      const self = yield* guest.machTaskSelf();
      yield* guest.vmAllocate(self, 0, oolBytes, true);
      values[0] = guest.out[0];
      yield* guest.touch(values[0], oolBytes, true);
    }
    const routine = oolBytes > 0 ? OOL_RPC : NULL_RPC;
    for (let i = 0; i < warmup; i++) yield* guest.call(routine, destination, values);
    meter.begin();
    for (let i = 0; i < iterations; i++) {
      if (options.coldL1 === true) coolL1(machine);
      const r = yield* guest.call(routine, destination, values);
      if (r !== KERN.SUCCESS) throw new Error(`rpc failed: 0x${r.toString(16)}`);
    }
    meter.end();
  });
  kernel.resume(client);
  kernel.run(() => meter.window.end > 0);
  const failure = [client, server].find((t) => t.context.failure !== undefined);
  if (failure !== undefined) throw failure.context.failure;
  return { machine, window: meter.window, iterations };
}

/** Null RPC round trip between two tasks. */
export function machNullRpc(options: MachMicroOptions = {}): MachMicroResult {
  const { machine, window, iterations } = rpcBenchmark(options, 0);
  const cold = options.coldL1 === true;
  return result(machine, cold ? 'null-rpc-l1cold' : 'null-rpc', `null RPC round trip between two tasks (MIG stubs)${cold ? ', L1 and TLBs empty before each call' : ''}`, iterations, window, { cycles: 11500, machine: '486/50', source: 'SOSP95 Table 2: Mach RPC 230 µs on a 486/50' });
}

/** RPC carrying 64 KB out of line (virtual copy); the server deallocates the region each time. */
export function machOol64k(options: MachMicroOptions = {}): MachMicroResult {
  const { machine, window, iterations } = rpcBenchmark(options, 64 * 1024);
  return result(machine, 'ool-64k', 'RPC with 64 KB out-of-line (copy-on-write), server vm_deallocates it', iterations, window, { cycles: 11500, machine: '486/50', source: 'SOSP95 Table 2 null RPC (no published OOL figure): context only' });
}

/**
 * Null RPC to a co-located server (the co-location hook): the same MIG stub and mach_msg, but
 * the server's port is a kernel object served in the client's thread (no switch, no CR3 load).
 */
export function machColocatedNullRpc(options: MachMicroOptions = {}): MachMicroResult {
  const { machine, kernel } = boot(options);
  const iterations = options.iterations ?? 200;
  const warmup = options.warmup ?? 10;
  const meter = measureWindow(machine);
  const server = kernel.createTask('colocated', true);
  const receive = kernel.allocateReceiveRight(server);
  const routines = new Map([[NULL_RPC.id, { replyBytes: 0, *run(): Generator<void, number, void> { return KERN.SUCCESS; } }]]);
  kernel.colocateServer(server, receive, new KernelObjectServer(kernel, 'colocated', null, routines));
  const client = kernel.createTask('client', false);
  const destination = kernel.grantSendRight(server, receive, client);
  kernel.resume(kernel.createThread(client, 'client.main', function* (guest) {
    for (let i = 0; i < warmup; i++) yield* guest.call(NULL_RPC, destination, []);
    meter.begin();
    for (let i = 0; i < iterations; i++) {
      if (options.coldL1 === true) coolL1(machine);
      yield* guest.call(NULL_RPC, destination, []);
    }
    meter.end();
  }));
  kernel.run();
  const cold = options.coldL1 === true;
  return result(machine, cold ? 'null-rpc-colocated-l1cold' : 'null-rpc-colocated', `null RPC to a co-located server (MIG call short-circuited in the kernel)${cold ? ', L1 and TLBs empty before each call' : ''}`, iterations, meter.window, { cycles: 11500, machine: '486/50', source: 'SOSP95 Table 2 (user-level RPC): context only' });
}

/**
 * The Mach part of a MkLinux system call, without Linux: `int $0x80` redirected to the task's
 * emulator (task_set_emulation), which makes a null MIG RPC to a server (a user task, or a
 * co-located one) and returns the result in EAX. The server does no work.
 */
export function machRedirectedSyscall(options: MachMicroOptions & { readonly colocated?: boolean } = {}): MachMicroResult {
  const { machine, kernel } = boot(options);
  const iterations = options.iterations ?? 200;
  const warmup = options.warmup ?? 10;
  const meter = measureWindow(machine);
  let serverTask;
  let serverPort = -1;
  if (options.colocated === true) {
    serverTask = kernel.createTask('colocated', true);
    serverPort = kernel.allocateReceiveRight(serverTask);
    const routines = new Map([[NULL_RPC.id, { replyBytes: 0, *run(): Generator<void, number, void> { return KERN.SUCCESS; } }]]);
    kernel.colocateServer(serverTask, serverPort, new KernelObjectServer(kernel, 'colocated', null, routines));
  } else {
    const server = kernel.startTask('server', function* (guest) {
      serverPort = yield* guest.machReplyPort();
      let replySize = 0;
      for (;;) {
        if ((yield* guest.serverReplyAndReceive(serverPort, replySize)) !== KERN.SUCCESS) return;
        replySize = yield* guest.buildReply(KERN.SUCCESS);
      }
    });
    kernel.run(() => serverPort > 0 && server.state === 'waiting');
    serverTask = server.task;
  }
  const client = kernel.createTask('client', false);
  const destination = kernel.grantSendRight(serverTask, serverPort, client);
  kernel.resume(kernel.createThread(client, 'client.main', function* (guest) {
    kernel.setSyscallRedirect(guest.thread.task, function* (_thread, registers) {
      const result = yield* guest.call(NULL_RPC, destination, []);
      registers[REG.EAX] = result;
    });
    for (let i = 0; i < warmup; i++) yield* guest.unixSyscall(20);
    meter.begin();
    for (let i = 0; i < iterations; i++) {
      if (options.coldL1 === true) coolL1(machine);
      yield* guest.unixSyscall(20);
    }
    meter.end();
  }));
  kernel.run(() => meter.window.end > 0);
  const colocated = options.colocated === true;
  return result(
    machine,
    colocated ? 'redirected-syscall-colocated' : 'redirected-syscall',
    `int 0x80 redirected to the emulator, null RPC to a ${colocated ? 'co-located' : 'user-task'} server`,
    iterations,
    meter.window,
    { cycles: colocated ? 2050 : 14710, machine: 'P133', source: `SOSP97 Table 2: MkLinux ${colocated ? 'in-kernel' : 'user'} getpid on the P133 (includes Linux's work): context only` },
  );
}

/** The microbenchmarks: warm null trap, null RPC and 64 KB OOL RPC, then trap and RPC with L1 and TLBs empty. */
export function runMachMicro(options: MachMicroOptions = {}): MachMicroResult[] {
  const cold = { ...options, coldL1: true };
  return [
    machNullTrap(options),
    machNullRpc(options),
    machOol64k(options),
    machColocatedNullRpc(options),
    machRedirectedSyscall(options),
    machRedirectedSyscall({ ...options, colocated: true }),
    machNullTrap(cold),
    machNullRpc(cold),
    machColocatedNullRpc(cold),
  ];
}
