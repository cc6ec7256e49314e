import { defineParameters, ParameterTable, type ParameterOverrides } from '../../base/parameters';

/**
 * The L4Linux substrate's own paths (SOSP'97 §4): the emulation library (the modified libc.so
 * mapped high into every process), the trampoline (the user-level exception handler that
 * reflects an unmodified `int $0x80`), the server's system-call dispatch loop, and the software
 * walk of the logical page tables used by copyin/copyout. Each row is an instruction count or a
 * code footprint of one path; cycles come from the machine model (instruction/aluRegMem classes,
 * cache and TLB) as the path executes, never from a per-benchmark total. The IPCs themselves are
 * the L4 engine's (engine/l4/l4Parameters.ts, HotOS'97 short-IPC path); the Linux handlers are the
 * personality's (engine/linux/core/linuxParameters.ts).
 *
 * STATUS: table only. The substrate that consumes it (server task, coroutines, pager, signal
 * thread, IRQ threads) is not built yet — see README.md in this folder. Values marked 'I' are
 * inferred from the code shape described in SOSP'97 §4 and the Figure 5 breakdown; they are the
 * rows to re-derive when the substrate's code paths exist and can be counted.
 */
export const L4LINUX_PARAMETERS = defineParameters({
  emulEnterSimple: { value: 16, unit: 'instructions', provenance: 'I', source: 'emulation-library stub: push ebx/esi/edi/ebp, load system-call number and up to 3 arguments into the IPC registers, load the server thread id (2 words) from the library data page, load the receive descriptor and a never timeout; SOSP97 Fig.5 "enter emulation library" 20 cycles total', description: 'emulation library entry: simple instructions before the IPC call' },
  emulEnterMemoryOps: { value: 2, unit: 'instructions', provenance: 'I', source: 'emulation library: read the per-process server id and the signal-pending word from its data page', description: 'emulation library entry: instructions with a memory operand' },
  emulLeaveSimple: { value: 14, unit: 'instructions', provenance: 'I', source: 'emulation library: check the reply dope for errors, move the result from the reply register to EAX, set errno on negative results, pop ebp/edi/esi/ebx, ret; SOSP97 Fig.5 "leave emulation library" 19 cycles total', description: 'emulation library exit: simple instructions after the reply' },
  emulLeaveMemoryOps: { value: 2, unit: 'instructions', provenance: 'I', source: 'emulation library: errno store; pending-signal check on the library data page', description: 'emulation library exit: instructions with a memory operand' },
  emulCodeBytes: { value: 256, unit: 'B', provenance: 'I', source: 'generic stub + per-call dispatch table entry of the modified libc.so, ~80 instructions × ~3 B', description: 'I-cache footprint of the emulation library paths' },
  trampolineSimple: { value: 60, unit: 'instructions', provenance: 'I', source: 'user-level exception handler: decode the faulting int 0x80 (read 2 opcode bytes at EIP), rebuild the register frame from the exception message, call the emulation routine, restore registers, skip the instruction (EIP += 2), resume; SOSP97 Table 2: the trampoline adds ≈ 230 cycles per getpid including L4 exception reflection', description: 'trampoline: simple instructions' },
  trampolineMemoryOps: { value: 8, unit: 'instructions', provenance: 'I', source: 'trampoline: reads of the saved frame and the opcode bytes, writes of the resumed frame', description: 'trampoline: instructions with a memory operand' },
  trampolineCodeBytes: { value: 224, unit: 'B', provenance: 'I', source: 'trampoline handler ≈ 70 instructions × ~3 B', description: 'I-cache footprint of the trampoline' },
  serverDispatchSimple: { value: 55, unit: 'instructions', provenance: 'I', source: 'server receive loop: identify the sender task → task_struct (hash of the thread id), switch to its coroutine (save/restore callee-saved regs + stack pointer), range-check the number, indexed call through sys_call_table, store the result in the reply message, check need_resched / pending signals / bottom halves, reply-and-wait; SOSP97 Fig.5 LINUX 131 cycles incl. the handler, vs 141 − handler natively', description: 'server dispatch + return: simple instructions' },
  serverDispatchMemoryOps: { value: 6, unit: 'instructions', provenance: 'I', source: 'server: current, need_resched, bh_active, intr_count, signal & blocked reads; sender→task lookup', description: 'server dispatch: instructions with a memory operand' },
  serverDispatchCodeBytes: { value: 320, unit: 'B', provenance: 'I', source: 'server IPC loop + coroutine switch ≈ 100 instructions × ~3 B', description: 'I-cache footprint of the server dispatch loop' },
  softWalkSimple: { value: 9, unit: 'instructions', provenance: 'I', source: 'copyin/copyout translation: split the address (2 shifts, 2 masks), index the page directory, test present, index the page table, test present/user/rw, add the offset; the two table reads go through the cache model (SOSP97 §4.3: 11-30 cycles per translation depending on L1/L2 hits)', description: 'software page-table walk per translation: simple instructions (table reads are separate memory accesses)' },
  signalThreadSimple: { value: 40, unit: 'instructions', provenance: 'I', source: 'signal thread: receive the server message, lthread_ex_regs on the main thread (new SP/IP into the emulation library signal entry), wait again', description: 'signal thread path: simple instructions' },
});

export type L4LinuxParameterSpecs = typeof L4LINUX_PARAMETERS;
export type L4LinuxParameters = ParameterTable<L4LinuxParameterSpecs>['values'];
export type L4LinuxOverrides = ParameterOverrides<L4LinuxParameterSpecs>;

/** The L4Linux cost table with what-if overrides applied. */
export function l4linuxParameters(overrides: L4LinuxOverrides = {}): ParameterTable<L4LinuxParameterSpecs> {
  return new ParameterTable('l4linux', L4LINUX_PARAMETERS, overrides);
}
