import { defineParameters, ParameterTable, type ParameterOverrides } from '../../base/parameters';

/**
 * The L4Linux substrate's own paths (SOSP'97 §4): the emulation library (the modified libc.so
 * mapped high into every process), the trampoline (the user-level exception handler that
 * reflects an unmodified `int $0x80`), the server's system-call dispatch loop, and the software
 * walk of the logical page tables used by copyin/copyout. Each row is an instruction count of one
 * path; cycles come from the machine model (instruction/aluRegMem classes, cache and TLB) as the
 * path executes, never from a per-benchmark total. The paths' code footprints follow from these
 * counts and the measured code densities (glueCode.ts), not from rows of their own. The IPCs
 * themselves are the L4 engine's (engine/l4/l4Parameters.ts, HotOS'97 short-IPC path); the Linux
 * handlers are the personality's (engine/linux/core/linuxParameters.ts).
 *
 * Consumed by `l4linux.ts` (server, coroutines, pager, interrupt and signal threads) and
 * `gates.ts` (emulation library, trampoline). Values marked 'I' are inferred from the code shape
 * described in SOSP'97 §4; priorities are the paper's configuration ('C').
 */
export const L4LINUX_PARAMETERS = defineParameters({
  emulEnterSimple: { value: 11, unit: 'instructions', provenance: 'I', source: 'emulation-library stub besides the loads of the IPC registers (the C binding\'s, charged by engine/l4 as ipcStubCycles: 7 MOVs): push ebx/esi/edi/ebp (4), the stores of the call\'s six registers (EAX, EBX, ECX, EDX, ESI, EDI) into the page shared with the server (6; L4Linux 2.2\'s emulation code "saves all state in the shared data structure", A. Lackorzynski, l4-hackers, 7 June 2005), the call set-up (1); the stores\' memory traffic goes through the cache model. SOSP97 Fig.5 "enter emulation library" 20 cycles total', description: 'emulation library entry: simple instructions before the IPC call' },
  emulEnterMemoryOps: { value: 2, unit: 'instructions', provenance: 'I', source: 'emulation library: read the per-process server id and the signal-pending word from its data page', description: 'emulation library entry: instructions with a memory operand' },
  emulLeaveSimple: { value: 19, unit: 'instructions', provenance: 'I', source: 'emulation library: check the reply dope for errors (2), restore the new state from the shared page: the six registers, EAX the result (6; "after replying to the IPC the emulation code restores the (new) state", as emulEnterSimple), set errno on negative results (2), pop ebp/edi/esi/ebx (4), ret (1), the reply-flag test for caught signals and its branch (4); SOSP97 Fig.5 "leave emulation library" 19 cycles total', description: 'emulation library exit: simple instructions after the reply' },
  emulLeaveMemoryOps: { value: 2, unit: 'instructions', provenance: 'I', source: 'emulation library: errno store; pending-signal check on the library data page', description: 'emulation library exit: instructions with a memory operand' },
  trampolineSimple: { value: 60, unit: 'instructions', provenance: 'I', source: 'user-level exception handler: decode the faulting int 0x80 (read 2 opcode bytes at EIP), rebuild the register frame from the exception message, call the emulation routine, restore registers, skip the instruction (EIP += 2), resume; SOSP97 Table 2: the trampoline adds ≈ 230 cycles per getpid including L4 exception reflection', description: 'trampoline: simple instructions' },
  trampolineMemoryOps: { value: 8, unit: 'instructions', provenance: 'I', source: 'trampoline: reads of the saved frame and the opcode bytes, writes of the resumed frame', description: 'trampoline: instructions with a memory operand' },
  serverGlueSimple: { value: 14, unit: 'instructions', provenance: 'I', source: 'server receive loop around the unchanged Linux entry code: sender thread id → task_struct (hash, 4), coroutine switch to the task\'s kernel stack (save/restore 4 callee-saved registers + ESP, 10); the loads of the reply registers and descriptors for reply-and-wait are the C binding\'s (engine/l4 ipcStubCycles; counted here as well before, 6 more, so they were charged twice)', description: 'server glue per request: simple instructions (the Linux dispatch and return code itself is entry.S, counted in nativeParameters)' },
  serverGlueMemoryOps: { value: 2, unit: 'instructions', provenance: 'I', source: 'server: hash-table read of the sender → task map, store of current', description: 'server glue per request: instructions with a memory operand' },
  serverStateExtractSimple: { value: 6, unit: 'instructions', provenance: 'I', source: 'server: the loads of the call\'s six registers from the page the process shares with it, through the server\'s 1:1 map of the page (no software walk: the server allocated it); they feed the pushes into the task\'s pt_regs that the server kept from SAVE_ALL (nativeParameters saveAllSimple, in the dispatch path), and the page\'s line goes through the cache model. The protocol is L4Linux 2.2\'s ("the Linux server can then extract the register values from the shared data structure", A. Lackorzynski, l4-hackers, 7 June 2005)', description: 'server: a call\'s registers loaded from the shared page' },
  serverStateWriteSimple: { value: 1, unit: 'instructions', provenance: 'I', source: 'server: the store of the new EAX (the result, which the kept RESTORE_ALL pops from pt_regs) into the shared page before the reply; the page\'s line through the cache model', description: 'server: a call\'s result stored in the shared page' },
  softWalkSimple: { value: 9, unit: 'instructions', provenance: 'I', source: 'copyin/copyout translation: split the address (2 shifts, 2 masks), index the page directory, test present, index the page table, test present/user/rw, add the offset; the two table reads go through the cache model (SOSP97 §4.3: 11-30 cycles per translation depending on L1/L2 hits)', description: 'software page-table walk per translation: simple instructions (table reads are separate memory accesses)' },
  interruptThreadSimple: { value: 20, unit: 'instructions', provenance: 'I', source: 'top-half thread loop: the wait-for-interrupt IPC stub, call of the unmodified Linux top-half handler, notify the bottom-half thread (SOSP97 §4 "wait for interrupt (L4-IPC); top_half_interrupt_handler()")', description: 'interrupt thread loop glue around the Linux handler: simple instructions' },
  interruptPriority: { value: 200, unit: 'priority', provenance: 'C', source: 'SOSP97 §4: 4 of 256 L4 priorities, decreasing: interrupt top half, bottom half, Linux server, user processes', description: 'L4 priority of the interrupt top-half threads' },
  bottomHalfPriority: { value: 190, unit: 'priority', provenance: 'C', source: 'SOSP97 §4 (as interruptPriority)', description: 'L4 priority of the bottom-half thread' },
  serverPriority: { value: 180, unit: 'priority', provenance: 'C', source: 'SOSP97 §4 (as interruptPriority)', description: 'L4 priority of the Linux server thread' },
  userPriority: { value: 128, unit: 'priority', provenance: 'C', source: 'SOSP97 §4: user processes lowest, round robin without priority decay (L4/x86 v2 default priority)', description: 'L4 priority of Linux user threads' },
  signalThreadSimple: { value: 40, unit: 'instructions', provenance: 'I', source: 'signal thread: receive the server message, lthread_ex_regs on the main thread (new SP/IP into the emulation library signal entry), wait again', description: 'signal thread path: simple instructions' },
});

export type L4LinuxParameterSpecs = typeof L4LINUX_PARAMETERS;
export type L4LinuxParameters = ParameterTable<L4LinuxParameterSpecs>['values'];
export type L4LinuxOverrides = ParameterOverrides<L4LinuxParameterSpecs>;

/** The L4Linux cost table with what-if overrides applied. */
export function l4linuxParameters(overrides: L4LinuxOverrides = {}): ParameterTable<L4LinuxParameterSpecs> {
  return new ParameterTable('l4linux', L4LINUX_PARAMETERS, overrides);
}
