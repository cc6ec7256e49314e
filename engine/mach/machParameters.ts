import { CODE_LINE_BYTES_PER_INSTRUCTION, splitIntoRuns, wholeLineBytes } from '../base/codeLayout';
import { defineParameters, ParameterTable, type ParameterOverrides } from '../base/parameters';
import { SeededRandom } from '../base/random';
import { apportion, nameHash, placeRuns, sourceTextBytes as textBytes } from '../base/textLayout';
import { FUNCTION_OFFSETS, KERNEL_LINK_ORDER, PATH_FUNCTIONS, SOURCE_HEADER_CHARS } from './kernelTextLayout';
import type { CodePath } from '../machine/cpu';
import type { CycleCategory } from '../base/cycleCategory';

/**
 * The Mach 3 kernel model's one parameter table. Every cost is the instruction cycles of one
 * kernel path on the P5 with all caches warm; cache and TLB misses are not in these numbers, they
 * come from the simulated memory system when the path's code (CodePath, fetched through the
 * I-TLB and I-cache) and the kernel data structures it touches are accessed.
 *
 * Sources, short names as in shared/reference/pentium-parameters.md:
 * - [SOSP95] Liedtke, "On µ-Kernel Construction": Mach get_self_thread ≈ 900 cycles on a 486/50
 *   against a 107-cycle hardware minimum; Mach RPC ≈ 230 µs on a 486/50.
 * - [OSF] the structure of the OSF MK / CMU Mach 3.0 code of each path (ipc/mach_msg.c,
 *   ipc/ipc_kmsg.c, ipc/ipc_right.c, ipc/ipc_entry.c, ipc/ipc_mqueue.c, kern/sched_prim.c,
 *   kern/ipc_kobject.c, vm/vm_map.c, vm/vm_fault.c, i386/locore.s). "estimate: N instructions"
 *   means the instructions of that path were counted from its structure (function calls, locks,
 *   checks, loads and stores), at ≈ 1 cycle per simple Pentium instruction (MAME column) plus the
 *   listed multi-cycle instructions. None of these values was fitted to a benchmark result.
 *   The counts are then divided by `structuralCoverage`, calibrated on one measured primitive
 *   (Liedtke's Mach kernel call), for the instructions that counting the main operations misses.
 */
const path = (value: number, source: string, description: string) => ({
  value,
  unit: 'cycles' as const,
  min: 0,
  max: 100000,
  provenance: 'I' as const,
  source,
  description,
});

/** The provenance shared by the rows counted from the OSF MK source of MkLinux. */
const OSF_COUNT = 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION configuration (conf/config.common !MACH_RT, AT386 NCPUS 1; no MACH_ASSERT, MACH_COUNTERS or DIPC, so simple locks, assertions and counter() compile to nothing), every executed instruction as gcc -O2 emits it for i386';
/** How a complete count is charged (see {@link COMPLETE_COUNT}). */
const COMPLETE = 'A complete count, charged as it is (COMPLETE_COUNT)';

export const MACH_PARAMETERS = defineParameters({
  // ---- trap entry and exit (i386/locore.s) ------------------------------------------------
  trapEntry: path(60, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: CPU_NUMBER empty, simple locks and MP_DISABLE_PREEMPTION compile to nothing; STAT_TIME, so TIME_TRAP_UENTRY/UEXIT are empty), every executed instruction of a Mach trap (libmach\'s SVC, the LDT call gate, i386/asm.h) around its routine, i386/locore.s: syscall (PUSHF, the trap-number and trap-slot pushes, PUSHA, 4 segment pushes, the 5 moves to kernel DS, ES and GS, the 6-move EFLAGS/EIP/CS shuffle: 19), syscall_entry_3 (the active_kloaded test, the kernel-stack load and XCHG: 4), the task\'s emulation-vector test (7: none for MkLinux\'s processes and server), syscall_native (NEG, sign test, mach_trap_count bound, SHL, routine load, the kern_invalid test: 8), mach_syscall_native (the activation\'s EXC_MACH_SYSCALL port against the host name port: 8; that port is the host port, assumed, not read), do_native_call\'s argument count and JECXZ (2), the call through mach_trap_table (1) and after it the return to the PCB stack and the EAX store (5): 54 instructions, of which the DS, ES and GS loads are segment register loads at 3 clocks (MAME Pentium column, the machine\'s segmentLoad): 60 cycles. The argument copy set-up is trapArguments, each word trapArgumentWord, the common exit trapExit; the call gate itself is the machine\'s gate charge. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 40 (80 cycles after structuralCoverage)', 'Mach trap entry (call gate) and return to the PCB stack'),
  trapArguments: path(12, 'counted from OSF MK (slp/osfmk-mklinux) i386/locore.s do_native_call, NCPUS 1, every executed instruction before a trap\'s argument copy loop: the user ESP and LEA past the last argument, the active_kloaded test, the VM_MAX_ADDRESS check, USER_DS into FS and the saved ESP for error recovery: 10 instructions, the FS load at 3 clocks (the machine\'s segmentLoad): 12 cycles. A complete count, charged as it is (COMPLETE_COUNT)', 'Mach trap argument copy set-up (traps with arguments)'),
  trapArgumentWord: path(3, 'counted from OSF MK (slp/osfmk-mklinux) i386/locore.s do_native_call: one turn of the argument loop (SUB, PUSH %fs:(%esi) under RECOVER, LOOP: 3). A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 4 (8 cycles)', 'per trap argument word'),
  trapExit: path(23, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: CPU_NUMBER empty, simple locks and MP_DISABLE_PREEMPTION compile to nothing; STAT_TIME, so TIME_TRAP_UENTRY/UEXIT are empty), every executed instruction of the common return to user mode, i386/locore.s return_from_trap (the need_ast test: 2), return_to_user (the active_kloaded test, the active thread\'s top_act and its ACT_KLOADING test: 7) and return_from_kernel (4 segment pops, POPA, the trap-number/error-code discard: 6): 15 instructions before IRET (the machine\'s IRET charge), the 4 POP Sreg at 3 clocks (MAME): 23 cycles. An AST is taken by its own paths. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 35 (70 cycles)', 'Mach trap and exception exit before IRET'),
  syscallEntry: path(49, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: CPU_NUMBER empty, simple locks and MP_DISABLE_PREEMPTION compile to nothing; STAT_TIME, so TIME_TRAP_UENTRY/UEXIT are empty), every executed instruction of a Linux process\'s int $0x80 up to exception() and of its way back, i386/locore.s: syscall_int80 (the trap-number and trap-slot pushes, PUSHA, 4 segment pushes, the 5 moves to kernel DS, ES and GS, the jump: 13), syscall_entry_3 (the active_kloaded test, kernel stack and XCHG: 4), the emulation-vector test (7, no emulator), syscall_native (NEG of the positive Linux number, the sign branch: 2), mach_call_range (the emulation-vector test again: 7; the code word pushed, its pointer, code count, EXC_SYSCALL and the call of exception(): 6), and thread_exception_return (kernel stack top, the PCB stack pointer, the jump to return_from_trap: 4): 43 instructions, the DS, ES and GS loads segment register loads at 3 clocks (MAME Pentium column, the machine\'s segmentLoad): 49 cycles. exception() is exceptionRaise or fastException, the exit trapExit. A complete count, charged as it is (COMPLETE_COUNT)', 'int $0x80 → exception(EXC_SYSCALL) entry and thread_exception_return'),
  exceptionEntry: path(77, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: CPU_NUMBER empty, simple locks and MP_DISABLE_PREEMPTION compile to nothing; STAT_TIME, so TIME_TRAP_UENTRY/UEXIT are empty), every executed instruction of a user page fault up to vm_fault and back: i386/locore.s t_page_fault (the trap number, PUSHA, MOV from CR2 and its store, the jump: 5), trap_push_segs (4 segment pushes), trap_set_segs (3 moves to DS and ES, CLD, the V86 and CPL tests: 8), trap_from_user (GS, the kernel stack load and XCHG: 4), take_trap (2 pushes, the call, the return to the PCB stack: 4): 25; i386/trap.c user_trap for T_PAGE_FAULT (prologue 6, current_act and its thread 5, kernel_loaded 1, the EFL_VM test 3, trap number and the two codes 3, the switch through its jump table 3, CR2 and prot 2, the kernel_act test 2, the T_PF_WRITE test and a read fault\'s prot 3, the vm_fault call with its 4 arguments 6, the user_page_fault_continue call 2: 36), user_page_fault_continue (prologue, the KERN_SUCCESS test, the thread_exception_return call: 6) and thread_exception_return (4): 71 instructions, the DS, ES and GS loads segment register loads at 3 clocks (MAME Pentium column, the machine\'s segmentLoad): 77 cycles. vm_fault is vmFault, the exit trapExit. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 60 (120 cycles)', 'user page fault entry and dispatch to vm_fault'),
  interruptEntry: path(77, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: CPU_NUMBER empty, simple locks and MP_DISABLE_PREEMPTION compile to nothing; STAT_TIME, so TIME_TRAP_UENTRY/UEXIT are empty), every executed instruction of a device interrupt from user mode, without its handler and spl changes: the IDT stub (PUSH EAX, the vector, the jump: 3), i386/locore.s all_intrs (2 pushes and CLD, the interrupt-stack test, DS and ES pushes, the 5 moves to kernel DS, ES and GS, the interrupt stack load and XCHG, the old-stack push, CPD_INTERRUPT_LEVEL incremented, the call: 18), i386/AT386/interrupt.s interrupt (the vector range checks, master_icw, the IRQ 2, 7 and 15 tests, the non-specific EOI to master and slave (4 moves and adds; the 2 OUTBs are eoiWrites), intpri and the set_spl call, the old IPL and unit pushes, the call through ivect, the pop, CLI, the curr_ipl test and the set_spl_noi call, RET: 29) and return_to_iret (CPD_INTERRUPT_LEVEL decremented, the old stack, the need_ast test, 3 segment and 2 register pops: 11): 61 instructions before IRET, the DS, ES and GS loads and the ES and DS pops at 3 clocks (MAME Pentium column, the machine\'s segmentLoad) and the CLI at 7 (cliSti): 77 cycles. set_spl and set_spl_noi are splTransition (with picWritesPerSpl), the handler its own path. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 45 (90 cycles)', 'hardware interrupt entry/exit bookkeeping'),

  // ---- IPC (ipc/*.c) -----------------------------------------------------------------------
  threadSelfTrap: path(51, 'counted from OSF MK (slp/osfmk-mklinux) kern/ipc_tt.c, PRODUCTION (NCPUS 1: act_lock and ip_lock compile to nothing), every executed instruction of thread_self_trap: prologue and epilogue 6, current_act and its task 3, the retrieve_act_self_fast call 3 and body (prologue and epilogue 6, ith_sself, its comparison with ith_self, ip_reference and ip_srights++, return: 13), the ipc_port_copyout_send call 5 and body (prologue and epilogue 6, IP_VALID 4, the ipc_object_copyout call with its 5 arguments 7, the kr test 2, the name returned 2: 21): 51. ipc_object_copyout is rightCopyout. task_self_trap is the same shape. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 25 (50 cycles)', 'mach_thread_self / mach_task_self body'),
  replyPortTrap: path(60, 'estimate [OSF ipc/mach_msg.c mach_reply_port → ipc_port_alloc]: port allocation and initialisation of ≈ 20 fields, entry allocation', 'mach_reply_port body (port init)'),
  entryLookup: path(34, `${OSF_COUNT}: ipc/ipc_entry.c ipc_entry_lookup of a name in the table (not a fast space, no splay tree), reconstructed and compiled (gcc -m32 -O2 -march=i386 -fno-omit-frame-pointer), the executed path: prologue with 3 callee registers 5, space and name 2, MACH_PORT_INDEX 2, the is_fast test 3, the table-size test 2, &is_table[index] 3, the generation comparison (bits, mask, name << 24, compare) 6, the MACH_PORT_TYPE_NONE test 2, epilogue 5 (30), and the call (2 pushes, CALL, ADD) 4. Hand-counted 26 before the compilation. ${COMPLETE}; replaces the estimate of 22 (44 cycles after structuralCoverage). The in-line lookups of the mach_msg hot path and of port_name_to_* (fast_send_right_lookup, ≈ 14) are charged where they are, not here`, 'ipc_entry_lookup (name → entry translation)'),
  rightCopyin: path(50, `${OSF_COUNT}: ipc/ipc_right.c ipc_right_copyin of a send right with MACH_MSG_TYPE_COPY_SEND: prologue and epilogue 10, bits 2, the switch on msgt_name through its jump table 5, the DEAD_NAME and SEND_RIGHTS tests 4, the port 1, ipc_right_check (call 6, prologue and epilogue 6, ip_active and the FALSE return 4: 16) and its test 2, the SEND test 2, ip_srights++ and ip_reference 2, *objectp and *sorightp 4, the break and KERN_SUCCESS 2 (a reconstruction compiled with gcc -m32 -O2 -march=i386 gives the same 40 besides ipc_right_check's body). MOVE_SEND_ONCE (dncancel test, entry cleared) counts 55 and MOVE_SEND with urefs left 58; MAKE_SEND and MAKE_SEND_ONCE are rightCopyinMake. ${COMPLETE}; replaces the estimate of 55 (110 cycles)`, 'one send or send-once right copied in from a space'),
  rightCopyout: path(151, `${OSF_COUNT}: ipc/ipc_object.c ipc_object_copyout of a send right into a space that already holds one (mach_thread_self's reply, a port carried in a message), with ipc/ipc_right.c and ipc/ipc_hash.c, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: ipc_object_copyout (is_active, the send-once test, the ipc_right_reverse call and its test, the ipc_right_copyout call, *namep) 39; ipc_right_reverse (ip_active, the ip_receiver == space test, the ipc_hash_lookup call) 23; ipc_hash_lookup 25; ipc_hash_local_lookup with a first-probe hit (table and size, IH_LOCAL_HASH with its DIV, 41 clocks on the P5 charged as 1 as the file charges IMUL, the probe, the ie_object comparison, MACH_PORT_MAKEB, *namep and *entryp) 37; ipc_right_copyout's PORT_SEND arm onto an existing send right (urefs and the overflow test, ip_srights--, ip_release, the new bits) 27. Hand count before: 134. A send right into a new entry (hash miss, ipc_entry_get, ipc_hash_local_insert) is of the same size. A reply's send-once right is copied out in copyoutHeaderReply, not here. ${COMPLETE}; replaces the estimate of 85 (170 cycles)`, 'one send right copied out into a space (ipc_object_copyout)'),
  machMsgTrap: path(48, `${OSF_COUNT}: ipc/mach_msg.c mach_msg_overwrite_trap when the hot path does not apply (the option is not exactly MACH_SEND_MSG|MACH_RCV_MSG), reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: 46 for a send (the masked option and hot-path tests, the MACH_SEND_MSG test and the mach_msg_send call, the MACH_RCV_MSG test, prologue and epilogue), 50 for a receive (with the choice of the receive buffer and the mach_msg_receive call); charged as their mean, 48. Hand count before: 50. mach_msg_send and mach_msg_receive are machMsgSend and machMsgReceive. The co-located server's mach_msg (kern/ipc_mig.c mach_msg_overwrite, no hot path) is charged as this route. ${COMPLETE}; replaces the estimate of 40 (80 cycles)`, 'mach_msg_overwrite_trap, general route'),
  kmsgGet: path(97, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_get of a message that fits a cached kmsg, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available) and run under gdb, the instructions executed: ipc_kmsg_get (prologue and epilogue, the size tests, msg_and_trailer_size and its IKM_SAVED_MSG_SIZE test, the ikm_cache_get and copyinmsg calls and tests, msgh_size, the trailer's sender token, type and size, *kmsgp, MACH_MSG_SUCCESS) 51; ikm_cache_get (the avail test, the first slot loaded, stored to *kmsg and tested, the slot cleared, avail--, TRUE) 17; i386/locore.s copyin without its REP MOVSL (registers saved and restored 4, arguments 3, the end address 1, the active thread's top_act, map and pmap 5, the kernel_pmap test 2, USER_DS into DS 2, the wrap test 2, CLD, the longword count 3, the byte count and REP MOVSB 3, the result 1, DS restored 2, return 1: 29; the REP MOVSL and the copy are timed by the machine's copy). Hand count before: 90. ${COMPLETE}; replaces the estimate of 45 (90 cycles). The kernel's ipc_kmsg_get_from_kernel (kern/exception.c's RPC) is still charged with this row`, 'ipc_kmsg_get (kmsg from the cache, copy in)'),
  copyinHeader: path(151, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_copyin and ipc_kmsg_copyin_header for a message without a reply right, with ipc/ipc_object.c ipc_object_copyin_type twice, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: ipc_kmsg_copyin (the header call, its result, the COMPLEX test) 26; ipc_kmsg_copyin_header (mbits, names and types, MACH_MSG_TYPE_PORT_ANY_SEND of both dispositions, is_active, the notify test, dest == reply, MACH_PORT_VALID(reply), the ipc_entry_lookup and ipc_right_copyin calls and their tests, the MACH_PORT_TYPE_NONE test, the notify and soright tests, the two ipc_object_copyin_type calls, the new msgh_bits and port fields) 98; ipc_object_copyin_type (its switch) 27 for the two. Hand count before: 121. ipc_entry_lookup and ipc_right_copyin are entryLookup and rightCopyin; a reply right adds copyinHeaderReply; a complex message's body is copyinBody. ${COMPLETE}; replaces the estimate of 80 (160 cycles)`, 'ipc_kmsg_copyin + ipc_kmsg_copyin_header (without the lookups and right copyins)'),
  copyinBodyItem: path(91, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_copyin_body, per port descriptor: the first pass's OOL type tests 5, the loop test 2, the switch 4, dsc and disposition 2, ipc_object_copyin_type 16, MACH_PORT_VALID 3, the ipc_object_copyin call and test 8, ipc/ipc_object.c ipc_object_copyin (prologue and epilogue 8, ipc_right_lookup_write: call 7, prologue and epilogue 6, is_active 3, the entry test 2, *entryp 2, return 1; the ipc_right_copyin call 11, the soright test 2, return 1: 43), the PORT_RECEIVE circularity test 3, dsc->name 2, complex, break and i++ 3. Its ipc_entry_lookup and ipc_right_copyin are entryLookup and rightCopyin. An out-of-line descriptor is charged the same, plus oolCopyin (its own arm, up to the vm_map_copyin call, was not counted apart). Inline data has no descriptor in OSF MK's message format and costs nothing here. ${COMPLETE}; replaces the estimate of 30 (60 cycles) that was charged per typed item`, 'per port or out-of-line descriptor, copyin'),
  oolCopyin: path(250, 'estimate [OSF vm/vm_map.c vm_map_copyin]: lookup entries, allocate vm_map_copy and its entries, clip, set needs_copy, object references: ≈ 220 instructions', 'out-of-line region copyin (virtual copy)'),
  oolCopyinPage: path(30, 'estimate [OSF vm/vm_map.c + i386/pmap.c pmap_protect]: per page write-protect of the source PTE', 'per page of an out-of-line copyin'),
  mqueueSend: path(58, `${OSF_COUNT}: ipc/ipc_mqueue.c ipc_mqueue_send to a port with room (or MACH_SEND_ALWAYS, or a send-once destination) and ipc_mqueue_deliver up to its receiver test, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; each function apart, as in the kernel's separate files) and run under gdb, the instructions executed: ipc_mqueue_send (port, the ipc_space_kernel, CIRCULAR, ip_active and queue-limit tests, the ipc_mqueue_deliver call, MACH_MSG_SUCCESS) 35 and ipc_mqueue_deliver's common part (prologue, pset and the queue, ip_msgcount++, the first receiver and its test, epilogue) 23. Hand count before: 48 (28 + 20). The delivery itself is mqueueWakeReceiver or kmsgEnqueue; a kernel port's ipc_kobject_server is kobjectServer. ${COMPLETE}; replaces the estimate of 60 (120 cycles)`, 'ipc_mqueue_send + ipc_mqueue_deliver'),
  mqueueReceive: path(83, `${OSF_COUNT}: ipc/ipc_mqueue.c ipc_mqueue_receive finding a queued message and ipc_mqueue_finish_receive, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; each function apart, as in the kernel's separate files) and run under gdb, the instructions executed: ipc_mqueue_receive (prologue and epilogue, kmsgs and self, the first message, ipc_kmsg_rmqueue_first_macro, port and seqno = ip_seqno++, *kmsgp and *seqnop, the finish call) 47; ipc_mqueue_finish_receive (self and kmsg, REQUESTED_TRAILER_SIZE and the size test, the scatter-list test, ip_active, ip_msgcount--, the blocked-sender test, *kmsgp) 36. Hand count before: 69. A receive that blocks is mqueueReceiveWait. ${COMPLETE}; replaces the estimate of 60 (120 cycles)`, 'ipc_mqueue_receive of a queued message'),
  copyoutHeader: path(108, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_copyout and ipc_kmsg_copyout_header for a message without a reply right, with ipc/ipc_object.c ipc_object_copyout_dest, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: ipc_kmsg_copyout (mbits, the header call and its result, the COMPLEX test) 26; ipc_kmsg_copyout_header (mbits, dest, types and reply, IP_VALID(reply), is_active and the notify test, ip_active(dest), the ipc_object_copyout_dest call, the new msgh_bits and port fields) 60; ipc_object_copyout_dest of a send-once destination (the receiver test, ip_release, ip_sorights--, the name) 22. Hand count before: 92. A reply right adds copyoutHeaderReply; a complex body copyoutBody. ${COMPLETE}; replaces the estimate of 80 (160 cycles)`, 'ipc_kmsg_copyout + ipc_kmsg_copyout_header'),
  copyoutBodyItem: path(37, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_copyout_body, per port descriptor: the loop test and switch 6, the ipc_kmsg_copyout_object call and the OR into mr 8, ipc_kmsg_copyout_object (prologue and epilogue 8, IO_VALID 4, the ipc_object_copyout call 8, its test 2, return 1: 23). ipc_object_copyout is rightCopyout. An out-of-line descriptor is charged the same, plus oolCopyout (its own arm, up to the vm_map_copyout call, was not counted apart). ${COMPLETE}; replaces the estimate of 25 (50 cycles) that was charged per typed item`, 'per port or out-of-line descriptor, copyout'),
  copyinHeaderReply: path(61, `${OSF_COUNT}: what ipc/ipc_kmsg.c ipc_kmsg_copyin_header adds for a reply right with another name than the destination (a MIG request on the slow path), reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: the header's general arm (the second lookup call and its test, the ipc_right_copyin_check call, saved_reply and its reference, the second ipc_right_copyin call, the IO_DEAD test, both entries' NONE tests, the release of saved_reply) 143 against the no-reply arm's 98: 45; ipc/ipc_right.c ipc_right_copyin_check of MAKE_SEND_ONCE 15; ipc_object_copyin_type of a real reply type 1 more. Hand count before: 51. The second lookup is entryLookup, the reply's copyin rightCopyinMake. ${COMPLETE}`, 'reply right in ipc_kmsg_copyin_header'),
  rightCopyinMake: path(28, `${OSF_COUNT}: ipc/ipc_right.c ipc_right_copyin of MACH_MSG_TYPE_MAKE_SEND_ONCE (or MAKE_SEND, one more increment) from a receive right: prologue and epilogue 10, bits 2, the switch 5, the RECEIVE test 2, the port 1, ip_sorights++ and ip_reference 2, *objectp and *sorightp 4, break and KERN_SUCCESS 2. ${COMPLETE}`, 'a right made from a receive right, copied in'),
  copyinBody: path(57, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_copyin_body's own work per complex message: the call from ipc_kmsg_copyin 4, prologue and epilogue 10, dest and complex 2, ipc_kobject_vm_page_list and ipc_kobject_vm_page_steal of the destination's kobject type (ip_kotype, call, body: 12 each) 24, body, saddr and eaddr 4, the descriptor-count bounds test 6, the space_needed test 2, the second loop's start 2, the !complex test 2, MACH_MSG_SUCCESS 1. Per descriptor: copyinBodyItem. ${COMPLETE}`, 'ipc_kmsg_copyin_body, per complex message'),
  copyoutHeaderReply: path(91, `${OSF_COUNT}: what ipc/ipc_kmsg.c ipc_kmsg_copyout_header adds for a send-once reply right (a request received on the slow path), reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: the header with the reply (the write-locked loop's is_active and notify tests, the reply_type test, ip_active(reply), the ipc_entry_get call and its test, ie_object, ip_reference, the ipc_right_copyout call, the notify_port test, the reply's release) 102 against 60 without: 42; ipc/ipc_entry.c ipc_entry_get's free-list pop 29; ipc/ipc_right.c ipc_right_copyout's PORT_SEND_ONCE arm 21; ipc_object_copyout_dest of the PORT_SEND destination 21 against the send-once one's 22: −1. Hand count before: 86. ${COMPLETE}`, 'send-once reply right in ipc_kmsg_copyout_header'),
  copyoutBody: path(25, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_copyout_body's own work per complex message: the call from ipc_kmsg_copyout and the OR into mr 5, prologue and epilogue 10, body, saddr and eaddr 4, the scatter-list set-up 3, the final loop test 2, return 1. Per descriptor: copyoutBodyItem. ${COMPLETE}`, 'ipc_kmsg_copyout_body, per complex message'),
  machMsgSend: path(53, `${OSF_COUNT}: ipc/mach_msg.c mach_msg_send, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: current_space() and current_map(), the ipc_kmsg_get, ipc_kmsg_copyin and ipc_mqueue_send calls with their tests, the MACH_SEND_CANCEL test, prologue and epilogue: 53 (hand count before: 47). Its callees are kmsgGet, copyinHeader and mqueueSend. ${COMPLETE}`, 'mach_msg_send'),
  machMsgReceive: path(97, `${OSF_COUNT}: ipc/mach_msg.c mach_msg_receive, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: self, current_space() and current_map(), the ipc_mqueue_copyin call and test, the MACH_RCV_OVERWRITE test and slist, ith_option, ith_scatter_list and its size, the ipc_mqueue_receive call (8 arguments), the result test, the trailer and the trailer-option test, the MACH_RCV_NOTIFY test, the ipc_kmsg_copyout and ipc_kmsg_put calls, FREE_SCATTER_LIST's test, prologue and epilogue 90; ipc/ipc_object.c ipc_object_release 7. Hand count before: 93. Its callees are mqueueCopyin, mqueueReceive or mqueueReceiveWait, copyoutHeader and kmsgPut. ${COMPLETE}`, 'mach_msg_receive'),
  mqueueCopyin: path(31, `${OSF_COUNT}: ipc/ipc_mqueue.c ipc_mqueue_copyin of a receive right (not in a set) or a port set, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; every function apart, as they are in the kernel) and run under gdb, the instructions executed: is_active, the ipc_entry_lookup call and its test, bits and object, the RECEIVE test, the port's ip_pset test (or the PORT_SET test), the queue, io_reference, *objectp and *mqueuep, MACH_MSG_SUCCESS, prologue and epilogue: 31 (hand count before: 30). ipc_entry_lookup is entryLookup. ${COMPLETE}`, 'ipc_mqueue_copyin (receive name → message queue)'),
  mqueueWakeReceiver: path(50, `${OSF_COUNT}: the rest of ipc/ipc_mqueue.c ipc_mqueue_deliver when a receiver waits and kern/ipc_sched.c thread_go of a TH_WAIT thread, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; each function apart, as in the kernel's separate files) and run under gdb, the instructions executed: ipc_thread_rmqueue_first_macro, ith_state, ith_kmsg, ith_seqno = ip_seqno++ and the thread_go call 15; thread_go (prologue and epilogue, the splsched call, reset_timeout_check, the state switch, the new state and wait_result, the thread_setrun call, the splx call) 35. Hand count before: 47. The spl changes and thread_setrun are the scheduler's (splTransition, threadSetrun). ${COMPLETE}`, 'message handed to a waiting receiver (thread_go)'),
  kmsgEnqueue: path(7, `${OSF_COUNT}: the rest of ipc/ipc_mqueue.c ipc_mqueue_deliver when no receiver waits: ipc_kmsg_enqueue_macro (first, its test, the links) 6, MACH_MSG_SUCCESS 1. ${COMPLETE}`, 'message queued on a port or set'),
  mqueueReceiveWait: path(112, `${OSF_COUNT}: ipc/ipc_mqueue.c ipc_mqueue_receive that blocks and is handed a message, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; each function apart, as in the kernel's separate files) and run under gdb, the instructions executed: ipc_mqueue_receive (prologue and epilogue, kmsgs and self, the empty-queue test, the MACH_RCV_TIMEOUT test, ith_state, ith_msize and ipc_thread_enqueue_macro, the thread_will_wait and thread_block calls, the MACH_RCV_TIMEOUT test, wait_result, the ith_state test, kmsg, seqno and port, *kmsgp and *seqnop, the finish call) 63; kern/ipc_sched.c thread_will_wait (prologue and epilogue, the splsched and splx calls, TH_WAIT, sleep_stamp) 13; ipc_mqueue_finish_receive 36 as in mqueueReceive. Hand count before: 105. thread_will_wait's two spl changes are splTransition, thread_block threadBlock. ${COMPLETE}`, 'ipc_mqueue_receive that waits for its message'),
  fastEntry: path(38, `${OSF_COUNT}: ipc/mach_msg.c mach_msg_overwrite_trap entering its hot path (compiled in: ENABLE_HOTPATH is NCPUS == 1 && !MACH_RT; enable_hotpath TRUE) for MACH_SEND_MSG|MACH_RCV_MSG, reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: the prologue with the arguments kept in the frame, the masked option and enable_hotpath tests, self, current_act()->task->itk_space, c_mmot_combined_S_R++ and ith_scatter_list 31, the epilogue 7. Counted by hand before the compilation: 25 (the difference is the arguments copied to the frame). ${COMPLETE}`, 'mach_msg_overwrite_trap hot path: entry and return'),
  fastGet: path(107, `${OSF_COUNT}: ipc/mach_msg.c hot path fast_get (in-line ipc_kmsg_get), reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: the send_size tests, the ikm_cache_get, copyinmsg and bcopy calls, hdr, msgh_size and the trailer's address 42; ikm_cache_get's body 17 (compiled as in kmsgGet); i386/locore.s copyin without its REP MOVSL 29 (as in kmsgGet; the copy is timed); i386 bcopy of the 20-byte trailer_template (set-up 14, its REP MOVSL of 5 dwords 5) 19. Hand count before: 94. ${COMPLETE}`, 'hot path: kmsg from the cache, copy in'),
  fastCopyinRequest: path(87, `${OSF_COUNT}: ipc/mach_msg.c hot path fast_copyin for a request, msgh_bits MACH_MSGH_BITS(COPY_SEND, MAKE_SEND_ONCE) with the reply port = rcv_name (a MIG RPC), to a kernel port, reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: the bits switch, the reply name's test and in-line lookup, the destination's in-line lookup, ip_active, the right counts and references, the new header, the ipc_space_kernel test: 87 (hand count before: 65; the difference is register spills and reloads in this large function). A port outside the kernel would add the queue-limit and ip_pset tests, io_reference and the jump to fast_send_receive (≈ 9, not charged: no RPC between two user tasks is on a measured path). ${COMPLETE}`, 'hot path: request header copyin'),
  fastCopyinReply: path(92, `${OSF_COUNT}: ipc/mach_msg.c hot path fast_copyin for a reply, msgh_bits MACH_MSGH_BITS(MOVE_SEND_ONCE, 0) (a server's reply, e.g. to exception_raise_state), receiving on a port set, reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: the bits switch, the local-port test, the destination's in-line lookup and SEND_ONCE/ie_request/ip_active tests, the in-line ipc_entry_dealloc, the new header, the in-line lookup of rcv_name, the PORT_SET test, io_reference: 92 (hand count before: 60; the difference is register spills and reloads). ${COMPLETE}`, 'hot path: reply header copyin and receive-name lookup'),
  fastSendReceive: path(139, `${OSF_COUNT} with THREAD_SWAPPER (conf/config.common): ipc/mach_msg.c hot path fast_send_receive, handing the message to the thread waiting on the destination (in mach_msg or in a kernel RPC's receive, SAFE_EXTERNAL_RECEIVE or SAFE_INTERNAL_RECEIVE) and switching to it, reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: dest_mqueue, the waiting receiver and the empty receive queue, the receiver's at_safe_point, size, MACH_RCV_NOTIFY and scatter-list tests, the THREAD_SWAPPER checks with their splsched and splx calls, the counters, self enqueued on the receive queue with its ith_* fields, the receiver dequeued and given the kmsg and seqno, the in-line ipc_object_release, the splsched call, ast_off, both threads' state, ast_context, the switch_context and thread_dispatch calls: 120 (hand count before: 100); and thread_dispatch of the sender as counted in threadBlock 19. The two splsched/splx pairs are splTransition; switch_context, its CR0 and LLDT and the address-space switch are the scheduler's paths. No thread_setrun, thread_block or thread_select runs. ${COMPLETE}`, 'hot path: direct handoff to the waiting receiver'),
  fastReceiveResume: path(18, `${OSF_COUNT}: ipc/mach_msg.c hot path after switch_context returns to the thread that blocked in fast_send_receive, reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: the splx call, the ith_state test, kmsg and dest_port, ip_msgcount--, hdr, msgh_size and the trailer, the trailer-option test: 18 (hand count before: 19). ${COMPLETE}`, 'hot path: resumed with a message'),
  fastCopyoutRequest: path(62, `${OSF_COUNT}: ipc/mach_msg.c hot path fast_copyout of a request, msgh_bits MACH_MSGH_BITS(PORT_SEND, PORT_SEND_ONCE) (a MIG request, e.g. the kernel's exception_raise_state), reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: reply_size and the rcv_size test, the bits switch, IP_VALID and ip_active of both ports, the in-line ipc_entry_get, IE_BITS_NEW_GEN, MACH_PORT_MAKE and the send-once right's entry, the in-line ipc_object_copyout_dest, the new header: 62 (hand count before: 52). ${COMPLETE}`, 'hot path: request header copyout'),
  fastCopyoutReply: path(25, `${OSF_COUNT}: ipc/mach_msg.c hot path fast_copyout of a reply, msgh_bits MACH_MSGH_BITS(PORT_SEND_ONCE, 0) (simple, or complex, which then adds copyoutBody), reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section (a kernel server's reply): reply_size and the rcv_size test, the bits switch, ip_active, the receiver test, ip_release, ip_sorights-- and the name, the new header: 25 (the hand count was 25 too). ${COMPLETE}`, 'hot path: reply header copyout'),
  fastPut: path(72, `${OSF_COUNT}: ipc/mach_msg.c hot path fast_put (in-line ipc_kmsg_put), reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: mr, the receive buffer and size, the copyoutmsg and ikm_cache_put calls and their tests, the result 27; i386/locore.s copyout without its REP MOVSL 29 (as in kmsgPut; the copy is timed); ikm_cache_put's body 16 (compiled as in kmsgPut). Hand count before: 64. ${COMPLETE}`, 'hot path: copy out, kmsg back to the cache'),
  fastKernelSend: path(40, `${OSF_COUNT}: ipc/mach_msg.c hot path kernel_send for a request to a kernel port, taking the reply directly, reconstructed from ipc/mach_msg.c (the hot path with its macros for NCPUS 1 and THREAD_SWAPPER), compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-strict-aliasing (gcc 2.7.2 is not available) and run under gdb on this case, the instructions executed in the section: c_mmot_kernel_send++, the ipc_kobject_server call (its body is kobjectServer) and the reply test, hdr, size and trailer, the reply port's active, receiver, name and ip_pset tests, the waiting-thread and queued-message tests, dest_port and ip_seqno++, the in-line ip_check_unlock, the trailer-option test: 40 (hand count before: 39). ${COMPLETE}`, 'hot path: kernel server call and direct reply'),
  fastSlowPath: path(56, `${OSF_COUNT}: what ipc/mach_msg.c's hot path does around the functions it falls back to when no receiver waits, the receive queue is not empty or the kernel reply cannot be taken directly: slow_send's ipc_mqueue_send call and test 7, slow_get_rcv_port's ipc_mqueue_copyin call and test and its results 10, slow_receive's ith_option and scatter list 5, its ipc_mqueue_receive call 10, ipc_object_release 11, the result test 2, kmsg, hdr, size and trailer 6, the trailer-option test 3, dest_port and the jump 2. The callees are mqueueSend, mqueueCopyin (with entryLookup) and mqueueReceive or mqueueReceiveWait. ${COMPLETE}`, 'hot path: fall-back to ipc_mqueue_send / ipc_mqueue_receive'),
  oolCopyout: path(300, 'estimate [OSF vm/vm_map.c vm_map_copyout]: find space (first fit over the entry list), insert entries, object references: ≈ 280 instructions', 'out-of-line region copyout'),
  oolCopyoutPage: path(10, 'estimate [OSF vm/vm_map.c]: per page of entry bookkeeping (no PTE is written: pages fault in lazily)', 'per page of an out-of-line copyout'),
  kmsgPut: path(75, `${OSF_COUNT}: ipc/ipc_kmsg.c ipc_kmsg_put, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available) and run under gdb, the instructions executed: ipc_kmsg_put (prologue and epilogue, the copyoutmsg call and its result, the IKM_SAVED_KMSG_SIZE test, the ikm_cache_put call and test, return) 30; ikm_cache_put (the avail test, the first free slot, the slot stored, avail++, TRUE) 16; i386/locore.s copyout without its REP MOVSL (as copyin's in kmsgGet, with ES: 29; the copy is timed). Hand count before: 68. The kmsg goes back to the cache here: no kmsgFree follows. The kernel's ipc_kmsg_put_to_kernel (kern/exception.c's RPC) is still charged with this row. ${COMPLETE}; replaces the estimate of 35 (70 cycles)`, 'ipc_kmsg_put (copy out, kmsg back to the cache)'),
  kmsgFree: path(71, `${OSF_COUNT}: ikm_free (ipc/ipc_kmsg.h) of a kmsg with a positive size, as ipc_kmsg_destroy and ipc_kmsg_put_to_kernel free it: ikm_size, its test and the kfree call 7; then kern/kalloc.c kfree of 256 bytes and kern/zalloc.c zfree without ZONE_DEBUG, reconstructed from the source, compiled with gcc 12 -m32 -O2 -march=i386 -fno-omit-frame-pointer -fno-inline (gcc 2.7.2 is not available; each function apart, as in the kernel's separate files) and run under gdb, the instructions executed: kfree (the kalloc_max_prerounded test, freesize and zindex, the size-class loop from KALLOC_MINSIZE 16 to 256, the zfree call) 35, zfree (the spl_routine tests, zone_check, the page-size test, ADD_TO_ZONE) 29. Hand count before: 64. ${COMPLETE}; replaces the estimate of 20 (40 cycles)`, 'ikm_free → kfree → zfree'),
  kobjectServer: path(210, 'counted from OSF MK (slp/osfmk-mklinux) kern/ipc_kobject.c, PRODUCTION (no MACH_RT, DIPC, ETAP or MACH_COUNTER; simple locks empty), every executed instruction of ipc_kobject_server for a routine found at its first mig_buckets probe that answers KERN_SUCCESS to a valid reply port: prologue and epilogue 10, the hash probe (key, MIG_HASH, max_iter, the bucket index modulo MAX_MIG_ENTRIES, the key and empty tests: 10), the routine and key test and reply_size 5, the trailer and ikm_cache rounding 4, ikm_alloc (the kalloc call 4, kern/kalloc.c kalloc of 256 bytes 33 and kern/zalloc.c zalloc 22, as in kmsgGetFromKernel: 59), the null test 2, ikm_init 1, the reply header (NDR record 4, size, bits from the request\'s local bits, remote and local ports, id + 100: 15), the routine call 8, the destination right released (the bits switch 5, the ipc_port_release_send call and its send-right count, no-senders test, reference and ip_check_unlock: 21, *destp 1), the COMPLEX and RetCode tests 6, the kr tests 4, the request freed to ikm_cache (the size test 3, the ikm_cache_put call and its first free slot: 23), the MIG_NO_REPLY and IP_VALID tests 6, the reply trailer (address, sender token, type and size) 6, return 1: 185; plus the fixed part of the MIG-generated server stub the routine call enters (prologue and epilogue 8, the request size and COMPLEX checks 6, the kernel routine\'s call 5, RetCode 2, the reply size and bits 4: 25, reconstructed from the MIG of the period, not read): 210. The stub\'s arguments are migServerArgument, the reply\'s queueing mqueueSend, the request\'s receive and the routine itself their own paths. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 120 (240 cycles after structuralCoverage)', 'kernel object message dispatch and the MIG server stub\'s fixed part'),
  migServerArgument: path(2, 'counted for the untyped MIG server stubs of OSF MK (slp/osfmk-mklinux; reconstructed from the MIG of the period, not read): a scalar argument is loaded from the request and pushed for the kernel routine (2); its size is covered by the stub\'s one msgh_size check (kobjectServer). A port argument\'s descriptor type and disposition check (≈ 6 more) and its convert_port_to_* call are not counted. A complete count of the scalar case, charged as it is (COMPLETE_COUNT); replaces the estimate of 10 (20 cycles)', 'per argument in a MIG server stub'),
  migStub: path(45, 'estimate [MIG-generated user stub, Mach 3.0 libmach]: fill the header, mig_get_reply_port, call mach_msg, check the reply id and RetCode', 'MIG user stub base'),
  migStubArgument: path(12, 'estimate [MIG-generated user stub]: write a type descriptor and a value; check it on the reply', 'per argument in a MIG user stub'),

  // ---- scheduler (kern/sched_prim.c, i386/pcb.c) -------------------------------------------
  threadBlock: path(151, 'counted from OSF MK (slp/osfmk-mklinux, PRODUCTION: NCPUS 1, no MACH_RT, FAST_IDLE or MACH_ASSERT, STAT_TIME so timer_switch is empty, simple locks and counter() compile to nothing), every executed instruction of a block of the current thread up to and after switch_context: kern/sched_prim.c thread_block_reason (prologue and epilogue 10, current thread and processor 2, at_safe_point 2, the TH_ABORT test 4, ast_off 1, the calls of thread_select, thread_invoke and splx 11: 30), thread_select (prologue and epilogue 10, first_quantum, pset, thread, unconsumed_quantum 6, other_runnable and the "I am the highest priority" test of runq count, low against sched_pri and state 8, choose_pset_thread call 4, the policy test and quantum 7: 35), choose_pset_thread (prologue and epilogue 8, count test 2, q from runq.low 3, dequeue of the head with runq = NULL and count-- 7, DEPRESSPRI test 2, queue_empty 2, clrbit 2, the ffsbit call and its BSF loop 8, return 2: 36), thread_invoke (prologue and epilogue 10, TH_UNINT cleared 2, same-thread test 2, ast_context 6, reason 2, counter_always 1, the switch_context call 5, the thread_dispatch call 3: 31), thread_dispatch of the blocked thread (prologue and epilogue 8, the state switch 5, sleep_stamp 2, TH_RUN cleared 2, wake_active 2: 19); the spl changes, switch_context and a TH_RUN thread\'s re-queueing (thread_setrun) are their own paths. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 110 (220 cycles after structuralCoverage)', 'thread_block / thread_select / thread_invoke / thread_dispatch'),
  threadSetrun: path(65, 'counted from OSF MK (slp/osfmk-mklinux) kern/sched_prim.c, NCPUS 1, every executed instruction: thread_setrun (prologue and epilogue 10, the sched_stamp test for update_priority 3, the idle_count test of an idle processor 2, rq 1, may_preempt 2, the PROCESSOR_DISPATCHING test 3, current sched_pri against the thread\'s 4, the run_queue_enqueue call 5: 30) and run_queue_enqueue (prologue and epilogue 10, whichq and its bounds check 5, head or tail 2, enqueue_tail 5, setbit 2, runq.low 3, count++ 3, the DEPRESSPRI count 2, runq and whichq stored 2, return 1: 35); ast_on when it preempts (4) is not counted. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 50 (100 cycles)', 'thread_setrun'),
  remRunq: path(57, 'counted from OSF MK (slp/osfmk-mklinux) kern/sched_prim.c, the part of thread_depress_abort\'s compute_priority(thread, TRUE) that takes the depressed thread off its DEPRESSPRI run queue before thread_setrun puts it back at its own priority: set_pri (prologue and epilogue 8, the rem_runq call 3, sched_pri 2, the rq and resched tests 4, the thread_setrun call 4: 21) and rem_runq (prologue and epilogue 8, runq and its NULL and identity tests 5, remqueue 4, count-- 1, depress_count-- 3, queue_empty 3, clrbit 2, the ffsbit call and loop 8, runq = NULL 1, return 1: 36). OSF MK leaves a thread depressed by thread_switch(SWITCH_OPTION_IDLE) runnable at DEPRESSPRI; the model keeps it off the run queues but charges this and the thread_setrun of thread_dispatch that put it there (MachKernel.depressIdle and depressAbort). A complete count, charged as it is (COMPLETE_COUNT)', 'set_pri / rem_runq of a depressed thread being undepressed'),
  switchContext: path(80, 'counted from OSF MK (slp/osfmk-mklinux), every executed instruction: i386/pcb.c switch_context (prologue in the old thread and epilogue in the resumed one 10, old_act and new_act 4, the OR of set_ts 1, PMAP_SWITCH_CONTEXT\'s map comparison 3, the Switch_context call 2: 20), act_machine_switch_pcb (call 2, prologue and epilogue 8, pcb and io_tss 3, STACK_IEL saved_state 5, pcb_stack_top from EFL_VM 5, io_tss test 2, the KERNEL_TSS busy test 3, esp0 1, ldt test 2, the selector for set_ldt 1; fpu_load_context is empty without FPE: 32) and i386/cswitch.s Switch_context (4 callee registers, return PC and ESP saved, old thread and continuation, CPD_ACTIVE_THREAD, new kernel stack and its top, active_kloaded from ACT_KLOADED, ESP and 4 registers restored, the indirect jump: 28). The two CR0 moves of set_ts and the LLDT of set_ldt are `setTs` and `lldt`; the address-space part is pmapActivate and the CR3 load. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 45 (90 cycles)', 'switch_context'),
  idleDispatch: path(23, 'counted from OSF MK (slp/osfmk-mklinux) kern/sched_prim.c thread_setrun, NCPUS 1, when the processor is idle (default_pset.idle_count > 0), every executed instruction: prologue and the early return 10, the sched_stamp test 3, the idle_count test 2, queue_first and queue_remove of the processor from the idle queue 5, idle_count-- 1, next_thread 1, PROCESSOR_DISPATCHING 1: no run-queue insertion. A complete count, charged as it is (COMPLETE_COUNT)', 'thread_setrun dispatching to the idle processor'),
  idleThreadRun: path(82, 'counted from OSF MK (slp/osfmk-mklinux) kern/sched_prim.c, every executed instruction of the idle thread handing the processor to the thread dispatched to it: idle_thread_continue\'s loop exit (next_thread test, processor state PROCESSOR_DISPATCHING, next_thread taken and cleared, state RUNNING, the policy test and quantum, first_quantum, the thread_run call: 18), thread_run (prologue and epilogue 8, current thread 1, at_safe_point 2, the splsched, thread_invoke and splx calls 8: 19), thread_invoke as in threadBlock (31) and thread_dispatch of the idle thread in the new one (prologue and epilogue 8, the state switch 5, TH_RUN|TH_IDLE left alone 1: 14); the spl changes and switch_context are their own paths. A complete count, charged as it is (COMPLETE_COUNT)', 'idle thread → dispatched thread (idle_thread_continue, thread_run, thread_invoke)'),
  setTs: { value: 26, unit: 'cycles' as const, min: 0, max: 1000, provenance: 'C', source: 'OSF MK (slp/osfmk-mklinux) i386/fpu.h fpu_save_context with NCPUS 1 and no FPE is set_ts() (MOV r32,CR0; OR; MOV CR0,r32), made by switch_context and by machine_switch_act (each activation switch of a migrating RPC, twice per co-located system call); Pentium MOV r32,CR0 = 4 and MOV CR0,r32 = 22 clocks (Intel Pentium Processor Family Developer\'s Manual Vol. 3 instruction timings, recalled, not checked); the OR is counted in the calling path', description: 'set_ts: the two CR0 moves of fpu_save_context' },
  lldt: { value: 9, unit: 'cycles' as const, min: 0, max: 1000, provenance: 'R2', source: 'OSF MK (slp/osfmk-mklinux) i386/pcb.c act_machine_switch_pcb loads the LDT on every switch (set_ldt(KERNEL_LDT) for a thread without its own LDT), from switch_context and machine_switch_act; LLDT = 9 clocks (MAME Pentium column, shared/reference/pentium-parameters.md §1)', description: 'LLDT of act_machine_switch_pcb' },
  splTransition: path(25, 'counted from OSF MK (slp/osfmk-mklinux) i386/spl.s, NCPUS 1, no MACH_KPROF or MP_V1_1, every executed instruction of the pair s = splsched(); splx(s) back to SPL0, halved: splsched is splhigh (the call, CLI, curr_ipl read and set to IPLHI, RET, s stored: 6) and splx (the argument push, call and pop 3, the argument, the curr_ipl test, the range checks 7, set_spl: frame 2, CLI, old IPL saved, new IPL stored, the SPLHI test 6, pic_mask[ipl] against curr_pic_mask 3, old IPL returned, frame, STI, RET 4: 25): 31 instructions, of which 2 CLI and 1 STI at 7 clocks (MAME Pentium column): 28 + 21 = 49 cycles per pair, 25 per change. An interrupt\'s set_spl (≈ 15) and set_spl_noi (≈ 10) are charged the same, their PIC writes (picWritesPerSpl) apart. A count, charged as it is; replaces the estimate of 30', 'one spl change (splsched / splx), without the PIC writes'),
  threadDepress: path(67, 'counted from OSF MK (slp/osfmk-mklinux) kern/syscall_subr.c, PRODUCTION (NCPUS 1: thread_lock, mp_disable_preemption and counter() compile to nothing), every executed instruction of syscall_thread_switch(THREAD_NULL, SWITCH_OPTION_IDLE, 0) around its thread_block: syscall_thread_switch (prologue and epilogue 10, cur_thread 1, the option switch through its jump table 4, the thread_depress_priority call 4, the thread-name test 2, myprocessor 1, first_quantum cleared 1, the thread_block_reason call 4, the SWITCH_OPTION_WAIT test 2, after the block the depress_priority test 3, the SWITCH_OPTION_IDLE test 2 and KERN_ABORTED returned 2: 36) and thread_depress_priority (prologue and epilogue 8, convert_ipc_timeout_to_ticks ((ms * hz + 999) / 1000: load, IMUL, add, and the division by 1000 as a reciprocal multiply and shift: 6), the splsched call 2, reset_timeout_check 3, depress_priority saved when negative 5, priority and sched_pri set to DEPRESSPRI 2, the ticks test 2, the splx call 3: 31). The two spl changes are splTransition, thread_block and the switch their own paths; the IMUL and MUL are charged as one cycle each (P5: ≈ 10), and for SWITCH_OPTION_DEPRESS (osfmach3_yield, 10 ms = 1 tick) the set_timeout of the depression timer is not counted. A complete count, charged as it is (COMPLETE_COUNT); replaces a count of 30 without prologues and calls (60 cycles after structuralCoverage)', 'thread_switch(SWITCH_OPTION_IDLE) around its thread_block'),
  threadDepressAbort: path(172, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: act_lock, ip_lock, rpc_lock and their _try forms compile to nothing or TRUE), every executed instruction of the thread_depress_abort trap on a depressed thread of the server (POLICY_RR: compute_priority\'s fixed-priority arm): kern/ipc_mig.c syscall_thread_depress_abort (prologue and epilogue 8, the port_name_to_act call 4, the null test 2, the act_deallocate call 3, return 1: 18), port_name_to_act (prologue and epilogue 8, r and thr_act 2, the loop tests 4, the ref_act_port_locked call 5, return 1: 20; fast_send_right_lookup is the entryLookup path), kern/ipc_tt.c ref_act_port_locked (prologue and epilogue 8, thr_act 1, ip_active and IKOT_ACT tests 6, ip_kobject 1, act_reference_locked 2, *pthr_act 2, return 1: 21), kern/syscall_subr.c thread_depress_abort (the call 4, prologue and epilogue 8, the null test 2, the active and thread tests 5, the thread_depress_abort_fast call 4, return 1: 24), kern/thread_act.c act_lock_thread (call 4, prologue and epilogue 6, pool_port 1, the thread test 3, return 1: 15) and act_unlock_thread (call 3, prologue and epilogue 6, the thread and pool_port tests 6: 15), act_deallocate (prologue and epilogue 8, null test 2, ref_count decrement and test 3, return 1: 14), thread_depress_abort_fast (prologue and epilogue 8, kr 1, the splsched call 2, the depress_priority test 3, reset_timeout_check 3, priority restored 2, depress_priority = -1 1, the compute_priority call 4, the skipped arms 1, the splx call 3, return 1: 29) and kern/sched_prim.c compute_priority (prologue and epilogue 6, pri 1, the policy test 3, the set_pri call with thread->priority 6: 16; a POLICY_TIMESHARE thread\'s do_priority_computation and depress test would add 8). set_pri and rem_runq are remRunq, the thread\'s thread_setrun threadSetrun, the entry lookup entryLookup, the two spl changes splTransition. A complete count, charged as it is (COMPLETE_COUNT); replaces a count of 45 without prologues and calls (90 cycles after structuralCoverage)', 'thread_depress_abort trap body'),
  threadDepressSelfAbort: path(128, 'counted from OSF MK (slp/osfmk-mklinux) kern/syscall_subr.c, PRODUCTION, every executed instruction of syscall_thread_switch\'s end for SWITCH_OPTION_DEPRESS (osfmach3_yield\'s server_thread_yield(10), a POLICY_RR server thread) after thread_block: the option-is-not-IDLE test 2 and the thread_depress_abort(cur_thread->top_act) call 4 (the tests before it are in threadDepress); thread_depress_abort without its caller\'s call (prologue and epilogue 8, null test 2, active and thread tests 5, the thread_depress_abort_fast call 4, return 1, act_lock_thread 15 and act_unlock_thread 15 as in threadDepressAbort: 50); thread_depress_abort_fast and compute_priority\'s fixed-priority arm as in threadDepressAbort (29 and 16) and set_pri on the running thread, which is on no run queue (prologue and epilogue 8, the rem_runq call 3, rem_runq returning RUN_QUEUE_NULL: prologue and epilogue 8, the runq load and test 3, return 1; sched_pri 2, the rq test 2: 27). The two spl changes are splTransition; the depression timer\'s reset_timeout (it was set for 1 tick) is not counted. A complete count, charged as it is (COMPLETE_COUNT); replaces a count of 32 without prologues and calls (64 cycles after structuralCoverage)', 'thread_switch(SWITCH_OPTION_DEPRESS) undoing its own depression after thread_block'),
  pmapActivate: path(14, 'counted from OSF MK (slp/osfmk-mklinux) intel/pmap.h, NCPUS 1, every executed instruction of PMAP_ACTIVATE_MAP\'s set_dirbase switching from one user pmap to another (switch_context\'s PMAP_SWITCH_CONTEXT map comparison is in switchContext): vm_map_pmap 1, pdirbase 1, real_pmap[0] and its NULL test 2, the kernel_pmap test 3, the comparison with real_pmap 2, the old pmap\'s kernel_pmap test 2, PMAP_CPU_CLR, real_pmap = pmap and PMAP_CPU_SET 3: 14, before the MOV to CR3 (the machine\'s CR3 load). A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 20 (40 cycles)', 'address-space switch bookkeeping (plus MOV CR3)'),

  // ---- VM (vm/*.c) -------------------------------------------------------------------------
  vmAllocate: path(200, 'estimate [OSF vm/vm_map.c vm_allocate → vm_map_enter]: find a hole, coalesce or allocate an entry, lazy object: ≈ 180 instructions', 'vm_allocate'),
  vmDeallocate: path(150, 'estimate [OSF vm/vm_map.c vm_map_delete]: clip, unlink, object deallocate', 'vm_deallocate'),
  vmProtect: path(150, 'estimate [OSF vm/vm_map.c vm_map_protect]: clip, set protection, pmap_protect', 'vm_protect'),
  vmPageWork: path(20, 'estimate [OSF i386/pmap.c]: per page of pmap_remove / pmap_protect (PTE update, TLB shootdown check)', 'per page of a VM range operation'),
  vmMap: path(400, 'estimate [OSF vm/vm_map.c vm_map + vm/memory_object.c vm_object_enter]: look up the object by pager port, create it and its control port on first use, enter the range', 'vm_map of a memory object'),
  vmRemap: path(320, 'estimate [OSF vm/vm_map.c vm_remap → vm_map_remap_extract + vm_map_enter]: look up the source entries, clone each (object reference, offset, protections; a needs-copy entry gets its shadow first), find space in the target map and link the clones: ≈ 300 instructions', 'vm_remap of another task\'s range'),
  vmFault: path(260, 'estimate [OSF vm/vm_fault.c vm_fault + vm_fault_page]: map lookup, object chain walk with the page hash, busy-bit protocol, pmap_enter: ≈ 240 instructions', 'vm_fault'),
  pageZero: path(1024, 'REP STOSD over 1024 dwords at ≈ 1 cycle each (same per-dword figure as the machine table\'s repMovsPerDword)', 'zero-fill of a 4 KB page (instructions)'),
  threadGetState: path(87, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1, no MACH_ASSERT), every executed instruction of thread_getstatus for i386_SAVED_STATE: kern/thread_act.c thread_getstatus (prologue and epilogue 8, act_lock_thread 16 and act_unlock_thread 16 with their argument pushes, as in threadDepressAbort, the act_machine_get_state call 6, kr 2: 48) and i386/pcb.c act_machine_get_state (prologue and epilogue 8, the flavor switch 3, the count test 3, tstate and USER_REGS 4, the REP MOVSD set-up of *state = *saved_state 3 (the copy of the 31 words is timed as a copy), the EFL_VM test 3, the 4 segment registers masked to 16 bits 12, *count 2, return 1: 39): 87. A complete count, charged as it is (COMPLETE_COUNT); with threadSetState replaces threadStateCopy, an estimate of 60 for either (120 cycles)', 'thread_getstatus(i386_SAVED_STATE), without the state copy'),
  threadSetState: path(106, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION, every executed instruction of thread_setstatus for i386_SAVED_STATE on a thread that is not kernel-loaded: kern/thread_act.c thread_setstatus (the wrapper as in threadGetState: 48) and i386/pcb.c act_machine_set_state (prologue and epilogue 8, kernel_act from kernel_loading || kernel_loaded 5, the flavor switch 3, the count test 2, state and USER_REGS 4, the 9 general registers copied 18, the kernel_act test and EFLAGS masked with EFL_USER_CLEAR/SET 6, the EFL_VM and kernel_act tests 5, the 6 flat segment selectors stored 6, return 1: 58): 106. A complete count, charged as it is (COMPLETE_COUNT)', 'thread_setstatus(i386_SAVED_STATE)'),
  threadSetPolicy: path(220, `${OSF_COUNT}: every executed instruction of kern/thread.c thread_set_policy(POLICY_TIMESHARE, base, limit) on a thread that is not running, not depressed and already timesharing (MkLinux's osfmach3_set_priority on a new process's thread, counted by hand from the source, not compiled): thread_set_policy (prologue and epilogue 8, the thr_act and pset null tests 4, the thread null test 2, pset against thread->processor_set 3, the policy switch 3, the POLICY_TIMESHARE arm: the two count tests 4, dat 1, bas and max 4, invalid_pri of both 8: 17; ret tested twice 4, the calls of thread_max_priority_locked and thread_priority_locked 8, return 1: 50), act_lock_thread and act_unlock_thread (15 each, as in threadDepressAbort), thread_max_priority_locked (MACH_HOST off: prologue and epilogue 8, the splsched call 2, max_priority stored 2, the max-above-priority test 3, the depress test 3, the splx call 3, return 2: 23), thread_priority_locked (no ETAP: prologue and epilogue 8, ret 1, the splsched call 2, the max_priority test 3, the depress test 3, priority stored 2, the compute_priority call 4, the current_thread test 3, sched_change_stamp++ 2, the set_max test 2, the splx call 3, return 2: 35) with compute_priority's timesharing arm (24, as in switchActOut) and set_pri on a thread on no run queue (27, as in threadDepressSelfAbort), thread_policy_common with the policy unchanged (the call 5, prologue and epilogue 8, the null and invalid_policy tests 4, the splsched call 2, the same-policy test 3, the FIFO/RR test 4, the splx call 3, return 2: 31): 220. The three splsched/splx pairs are splTransition; the MIG server stub's fixed part and its arguments are kobjectServer and migServerArgument. ${COMPLETE}`, 'thread_set_policy (thread_max_priority_locked, thread_priority_locked, thread_policy_common)'),
  fastException: path(104, 'counted from OSF MK (slp/osfmk-mklinux) kern/exception.c exception() with MACHINE_FAST_EXCEPTION for a port with an RPC subsystem in a kernel-loaded space, i386/machine_rpc.h and kern/thread_act.c, PRODUCTION configuration (NCPUS 1, no MACH_LDEBUG: act_lock, ip_lock and rpc_lock compile to nothing), every executed instruction up to the server routine: exception()\'s prologue (frame and 3 callee registers; it leaves by thread_exception_return, no epilogue: 6), ith_scatter_list cleared (2), self, activation and exc_actions entry, port validity and flavor (9), act_machine_state_ptr twice (4), argv_status and the i386/locore.s copyin of the 7 argv words (pmap test, wrap check, counts, the two REP MOVS set-ups, DS reload: 19; the copy itself is timed), port active test, reference and srights (4), EXCEPTION_STATE switch, MACHINE_THREAD_STATE, subsystem and is_fast_space tests (8), the port set test and the port\'s reference (4), the in-lined thread_pool_get_act with its THREAD_SWAPPER tests (13), the null-activation test (2), new_sp (2), saving r_port, r_exc_port, r_code, flavor and count (10), suspend tests and the subsystem routine lookup (6); call_exc_serv (9 argument stores on the server stack, the return address, the stack switch and jump: 15). switch_act there and back, machine_switch_act and exception_return_wrapper are their own paths (switchActIn, switchActOut, machineSwitchAct, exceptionReturnWrapper). A complete count, charged as it is (COMPLETE_COUNT); the row was 316 with those estimated inside it (switch_act in ≈ 95, exception_return_wrapper with switch_act back ≈ 100 + 12; its items summed to 311)', 'exception_raise_state short-circuited into a call (thread migration)'),
  switchActIn: path(134, 'counted from OSF MK (slp/osfmk-mklinux) kern/thread_act.c switch_act(new_act), PRODUCTION (NCPUS 1, no MACH_RT: disable_preemption/enable_preemption, cpu_number, task_lock and mutex_try compile to nothing or 1; kern/lock.h), a thread of a POLICY_TIMESHARE task migrating into the POLICY_RR server task (task policy higher), every executed instruction: exception()\'s call (3), prologue and epilogue 10 and the return of old 1, current_thread and old = top_act 2, the act test 2, new->thread and new_task 2, the policy test before and after the (compiled-out) mutex_try 6, old->saved_policy, saved_base_priority and saved_sched_change_stamp 6, thread->policy and priority from the task 4, the compute_priority(thread, FALSE) call 4 with its fixed-priority arm 16 (as in threadDepressAbort) and set_pri on the running thread, on no run queue, 27 (as in threadDepressSelfAbort), current_processor 1 and csw_needed (NCPUS 1 form in kern/sched.h: TH_SUSP, first_quantum, processor_set, runq.low against sched_pri: 11, false), active_kloaded 4, the machine_switch_act call 6 (its body is machineSwitchAct), the act test 2 and act_attach (call 5, prologue and epilogue 6, parameters 3, thread, higher, alerts, alert_mask 4, lower = top_act 2, the lower test 2, lower->higher 1, alerts from lower 3, top_act 1: 27). A complete count, charged as it is (COMPLETE_COUNT)', 'switch_act into the server activation (migrating call in)'),
  switchActOut: path(151, 'counted from OSF MK (slp/osfmk-mklinux) kern/thread_act.c switch_act(THR_ACT_NULL) from i386/machine_rpc.h exception_return_wrapper, PRODUCTION (NCPUS 1, no MACH_RT), the thread going back to its POLICY_TIMESHARE activation, every executed instruction: the call (3), prologue and epilogue 10 and the return 1, current_thread, old and the act test 4, new = old->lower 1, the saved_sched_change_stamp test 4, the stamp cleared 1, thread->policy restored 2, the saved base priority 1 and its max_priority test 3, the depress_priority test 3, thread->priority 1, the compute_priority(thread, TRUE) call 4 with its timesharing arm 24 (threadDepressAbort\'s fixed arm 16 + do_priority_computation and the depress test 8) and set_pri on the running thread 27, current_processor and csw_needed 12 (ast_on when it fires, 6, is not counted, as in threadSetrun), active_kloaded 4, the machine_switch_act call 6 (body: machineSwitchAct), the act test 2 and act_detach (call 3, prologue and epilogue 6, cur_thread 2, top_act = lower 2, thread cleared 1, the thread_pool_put_act call 3: 17) with kern/thread_pool.c thread_pool_put_act (prologue and epilogue 6, its parameter 1, the pool_port test and thr_pool 4, the active test 3, handlers cleared 1, thread_pool_next and thr_acts 3, the waiting test 3: 21): 38. A complete count, charged as it is (COMPLETE_COUNT)', 'switch_act back to the client activation (migrating call out)'),
  machineSwitchAct: path(58, 'counted from OSF MK (slp/osfmk-mklinux) i386/pcb.c machine_switch_act, NCPUS 1, no FPE, every executed instruction: prologue and epilogue 8, fpu_save_context = set_ts\'s OR 1 (its two CR0 moves are setTs), ast_context (need_ast, the AST_PER_THREAD mask, act->ast, the store and its test; aston/astoff empty: 7), PMAP_SWITCH_CONTEXT\'s map comparison 3 (NCPUS 1 form in intel/pmap.h: the client\'s and the kernel-loaded server\'s maps differ) and its set_dirbase, which loads no CR3 when the server\'s map is on kernel_pmap (set_dirbase never loads kernel_pmap, and going back the client\'s pmap is still real_pmap; that kernel_task_create gives the kernel-loaded task kernel_pmap is assumed, not read, as the model\'s co-located server loads no CR3): vm_map_pmap, real_pmap and pdirbase 3, the NULL test 2, the kernel_pmap test 2 (7; going back the real_pmap comparison, 2 more, is not counted), and act_machine_switch_pcb as in switchContext (32, with its call; its LLDT is lldt). A complete count, charged as it is (COMPLETE_COUNT)', 'machine_switch_act (each switch_act)'),
  exceptionReturnWrapper: path(38, 'counted from OSF MK (slp/osfmk-mklinux) i386/machine_rpc.h exception_return_wrapper, where the co-located server routine returns, PRODUCTION (NCPUS 1: ip_lock, rpc_lock and mp_disable_preemption compile to nothing), every executed instruction but its switch_act (switchActOut): prologue (frame and 3 callee registers; it leaves by thread_exception_return: 5), kr saved in ESI 1, the stack switch to kernel_stack[0] (load, MOV, XCHG, EBP, SUB, kr stored: 6), self 1, r_port from top_act->lower 3, ip_release 1, act_switch_swapcheck with THREAD_SWAPPER (top_act, the lower test, swap_state against TH_SW_IN: 7), current_act 2, the r_exc_port release and ip_check_unlock test 6, the SERVER_TERMINATED test 3, the MIG_NO_REPLY test 2 and the jump to thread_exception_return 1. A complete count, charged as it is (COMPLETE_COUNT)', 'exception_return_wrapper (migrated exception RPC return)'),
  exceptionRaise: path(249, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: act_lock and ip_lock compile to nothing, no ETAP), every executed instruction of an EXC_SYSCALL raised to a port served by a user-mode task (behavior EXCEPTION_STATE, flavor i386_SAVED_STATE, no RPC subsystem): kern/exception.c exception() (prologue 6, it leaves by thread_exception_return; self, activation and exc_actions entry 4, ith_scatter_list 1, the port and its IP_VALID test 5, flavor and its i386_SAVED_STATE test 3, act_machine_state_ptr 2, argv_status and syscall_exc_copyin 3, the copyin call 5 and i386/locore.s copyin of the 7 argv words (2 pushes, 3 arguments, LEA, the active map\'s pmap against kernel_pmap 7, USER_DS into DS 2, the wrap test 2, CLD, the REP MOVSL and REP MOVSB set-ups 4 and the REP MOVSB, XOR, DS restored 2, 2 pops and RET: 31; the REP MOVSL is timed as a copy), the result test and argv_status 3, ip_active 3, ip_reference and ip_srights++ 2, the behavior switch 4, the subsystem and flavor tests 5, state_count 2, the thread_getstatus call 6, kr 2, the exception_raise_state call with its 9 arguments 13, kr 2, the thread_setstatus call 7, kr 2, the thread_exception_return call 1: 112) and the MIG KernelUser stub exception_raise_state of mach/exc.defs (reconstructed from the MIG of the period, not read: prologue and epilogue 10, NDR record 4, exception 2, the codeCnt bound 3, the code memcpy 20 (call 5 and i386/bcopy.s memcpy without its REP MOVSL: 15), codeCnt, msgh_size_delta, msgh_size and the request pointer moved past the variable array 4, flavor 3, the old_stateCnt bound 3, the old_state memcpy 20, old_stateCnt and msgh_size 3, the request pointer back 1, msgh_bits, remote and local ports, reserved and msgh_id 6, the mach_msg_rpc_from_kernel call 5, its result 2, the reply checks (msgh_id, size, COMPLEX bit, size bounds, RetCode, new_stateCnt against the size: 17), *flavor 3, the new_stateCnt bound 4, the new_state memcpy 20, *new_stateCnt 2, return 1: 133 – the 3 memcpy copies are timed): 245 instructions, copyin\'s two DS loads segment register loads at 3 clocks (MAME Pentium column, the machine\'s segmentLoad): 249 cycles. thread_getstatus and thread_setstatus are threadGetState and threadSetState, mach_msg_rpc_from_kernel rpcFromKernel and kmsgGetFromKernel. The exception_raise form (EXCEPTION_DEFAULT: retrieve_act_self_fast, retrieve_task_self_fast and a stub with two port descriptors, for a bad access) is charged the same, not counted. A complete count, charged as it is (COMPLETE_COUNT); replaces the estimate of 215 (430 cycles)', 'exception() and its KernelUser exception_raise_state stub (message built, reply checked)'),
  kmsgGetFromKernel: path(107, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (no MACH_RT or DIPC, no MACH_ASSERT, simple locks empty), every executed instruction of ipc/ipc_kmsg.c ipc_kmsg_get_from_kernel for a message of the exception stub (≈ 176 bytes with the 31-word state, so size + MAX_TRAILER_SIZE is rounded up to IKM_SAVED_MSG_SIZE; ikm_alloc is kalloc, no ikm_cache): prologue and epilogue 10, the size and its rounding 5, the kalloc call 4, the null test 2, ikm_init 1, the memcpy call 5 and body 15 (i386/bcopy.s, without its REP MOVSL: timed as a copy), msgh_size 2, the trailer (address, sender token 2 words, type and size) 5, *kmsgp and return 3: 52; kern/kalloc.c kalloc of 256 bytes (prologue and epilogue 6, the kalloc_max_prerounded test 3, allocsize and zindex 2, the rounding loop from KALLOC_MINSIZE 16 to 256 (4 turns of 4 and the exit test: 18), the zone and the zalloc call 4: 33) and kern/zalloc.c zalloc of a non-empty zone (prologue and epilogue 8, the spl_routine tests 4, REMOVE_FROM_ZONE 6, the empty-zone test 2, return 2: 22): 107. A complete count, charged as it is (COMPLETE_COUNT)', 'ipc_kmsg_get_from_kernel (kalloc, zalloc) before the copy'),
  rpcFromKernel: path(254, 'counted from OSF MK (slp/osfmk-mklinux), PRODUCTION (NCPUS 1: rpc_lock, ip_lock and imq_lock compile to nothing; no DIPC), every executed instruction of kern/ipc_mig.c mach_msg_rpc_from_kernel around its kmsg get, send and receive: mach_msg_rpc_from_kernel (prologue and epilogue 10, self, top_act and ith_scatter_list 3, the ipc_kmsg_get_from_kernel call and its result 7, ith_rpc_reply and its test 3, the reply port and MAKE_SEND_ONCE bits into the header 3, ipc_port_reference 1, the ipc_kmsg_copyin_from_kernel call 3, the ipc_mqueue_send_always call 5, the reply port\'s ip_active and the activation\'s active tests 6, the mqueue 1, the ipc_mqueue_receive call with its 8 arguments 10, mr 2, ipc_port_release 3, the rcv_size test 4, the ipc_kmsg_copyout_to_kernel call 5, the ipc_kmsg_put_to_kernel call 6, return 1: 73), ipc/ipc_kmsg.c ipc_kmsg_copyin_from_kernel (prologue and epilogue 10, bits, rname, lname, remote and local 8, the two ipc_object_copyin_from_kernel calls 8 and the IO_VALID test 4, the memory-object bits test 2, the two ipc_object_copyin_type calls 24, the new bits 5, the COMPLEX test 2: 63) with ipc/ipc_object.c ipc_object_copyin_from_kernel for COPY_SEND (prologue and epilogue 6, arguments 2, the switch 4, ip_active, ip_srights++ and ip_reference 4, the jump out 1: 17) and MAKE_SEND_ONCE (the same without the ip_active test: 15), ipc_kmsg_copyout_to_kernel (prologue and epilogue 10, dest, reply and the two types 7, io_active 2, the ipc_object_copyout_dest call 6, the new bits 6, local and remote ports 3: 34) with ipc_object_copyout_dest of the send-once right to the kernel\'s reply port (prologue and epilogue 8, arguments 3, io_release 1, the switch 4, the receiver test 3, sorights-- and the receiver name 2, *namep 2: 23), and ipc_kmsg_put_to_kernel (prologue and epilogue 6, the memcpy call 5 and body 15 without its REP MOVSL, timed as a copy, ikm_free\'s size test 3: 29): 73 + 63 + 32 + 34 + 23 + 29 = 254. ipc_kmsg_get_from_kernel is kmsgGetFromKernel, ipc_mqueue_send mqueueSend, ipc_mqueue_receive mqueueReceive, ikm_free\'s kfree and zfree kmsgFree. A complete count, charged as it is (COMPLETE_COUNT)', 'mach_msg_rpc_from_kernel: copyin/copyout from and to the kernel, put_to_kernel'),
  pagerRequest: path(180, 'estimate [OSF vm/vm_fault.c + memory_object.c]: mark page busy/absent, build memory_object_data_request', 'data request to an external pager'),
  pagerSupply: path(200, 'estimate [OSF vm/memory_object.c memory_object_data_provided]: look up the object, allocate vm_page, insert in the hash, wake waiters', 'data supplied by an external pager'),
  deviceRequest: path(250, 'estimate [OSF device/ds_routines.c ds_device_read/write + io_req]: allocate io_req, map buffer, call the driver strategy', 'device request'),
  clockInterrupt: path(80, 'estimate [OSF kern/mach_clock.c hardclock]: tick accounting, quantum check, timeout queue', 'clock interrupt body'),

  eoiWrites: { value: 2, unit: 'OUTB', min: 0, max: 4, provenance: 'R', source: 'OSF MK (slp/osfmk-mklinux) i386/AT386/interrupt.s int_ok: a non-specific EOI to the master 8259 and one to the slave for every interrupt, whichever PIC raised it; each OUTB costs the machine\'s isaIoAccess', description: '8259 EOI writes per hardware interrupt' },
  picWritesPerSpl: { value: 2, unit: 'OUTB', min: 0, max: 4, provenance: 'R', source: 'OSF MK i386/spl.s SET_PIC_MASK: one OUTB to the master 8259 OCW1 and one to the slave when set_spl/set_spl_noi finds the new IPL\'s pic_mask different from curr_pic_mask: an interrupt raising to its device\'s IPL and returning. splsched is splhigh without MACH_KPROF (CLI, curr_ipl = IPLHI, the PIC untouched), so splsched ↔ splx(SPL0) writes none; each OUTB costs the machine\'s isaIoAccess', description: '8259 mask writes per IPL change that changes the PIC mask (interrupt entry or exit)' },

  // ---- code layout and data structure sizes -------------------------------------------------
  structuralCoverage: { value: 0.5, unit: 'ratio', min: 0.05, max: 1, provenance: 'I', source: 'calibration of the structural counts against a measured primitive: Liedtke SOSP\'95 §4.1.1 measured Mach\'s mach_thread_self at ≈ 900 cycles on a 486/50, ≈ 800 above the 107-cycle hardware minimum. At ≈ 2 cycles per instruction on the 486 (its clock counts: 1 for ALU, load and store, 3 for a taken branch or a call, 5 for a return, for compiled C) that is ≈ 400 instructions, where the rows of this table count 185 for the same path (trapEntry + trapExit + threadSelfTrap + rightCopyout): the counts, taken from each function\'s main operations, miss about half of what runs (prologues and epilogues, argument passing, lock and assertion macros, counters, the calls between the functions). Every counted kernel path is divided by this ratio, in cycles and in code bytes', description: 'fraction of a kernel path\'s executed instructions that its structural count covers' },
  linkMapSeed: { value: 0x3ac4, unit: 'seed', min: 0, max: 0x7fffffff, integer: true, provenance: 'I', source: 'fixed before the layout was first measured, never chosen by a result: the kernel text layout (layoutMachPaths) takes the link order, object sizes and function places from OSF MK\'s sources and draws only what they do not give (generated MIG stubs\' and unindexed files\' sizes, the places of unread functions); another seed is another plausible build of the same kernel (co-located getpid spans 1,158-1,701 cycles over seeds 1-8)', description: 'seed of what the sources leave open in the kernel text layout (a what-if: another build of the same kernel)' },
  moduleTextBytes: { value: 6144, unit: 'B', min: 0, max: 65536, provenance: 'I', source: 'estimate: ≈ 6 KB of i386 text per object file (a Mach 3 kernel of ≈ 700 KB text from ≈ 120 files; both figures recalled, not checked); now only the size of the files of the link whose source the index does not hold (the MIG stubs generated at build time and five device/ files: kernelTextLayout.ts), drawn around this mean by layoutMachPaths', description: 'mean text size of a kernel object file whose source is not read' },
  textBytesPerSourceChar: { value: 0.13, unit: 'B/char', min: 0.01, max: 1, provenance: 'I', source: 'measured and estimated: the OSF MK reconstructions of the IPC paths (mach_msg general and hot paths, ipc_kmsg_get/put, ipc_mqueue, ipc_entry_lookup, ipc_right_copyin, kfree; comment-free C that follows the source statements), compiled with gcc 12 -m32 -march=i386 -O2 (no block reordering or label alignment, -falign-functions=4, -fno-omit-frame-pointer), give 10,360 B of .text from 42,881 characters of code lines = 0.24 B per code character (per file 0.11–0.27); the part of a source file after its ≈ 3,000-character copyright block that is live code (not comments, blank lines, #includes or asserts that PRODUCTION compiles out) is ≈ 0.54, estimated by reading ipc/ipc_entry.c: 0.24 × 0.54 ≈ 0.13. The error per file is large (±35 %: history logs, #if-dead code such as kern/etap.c without ETAP, comment density), and over the tens of files between two modules it exceeds the 4 KB of an L1-I way, so the sources fix the order and the spacing of the files only roughly', description: 'i386 text bytes per character of C source (past the header block)' },
  assemblyTextBytesPerSourceChar: { value: 0.06, unit: 'B/char', min: 0.005, max: 1, provenance: 'I', source: 'estimate: i386/locore.S and the other .S files hold ≈ 30 characters per line, about half of them instructions (the rest comments, blank lines, directives and #if MACH_KDB code) of ≈ 3.2 bytes each: ≈ 0.055 B per character, ±50 %', description: 'i386 text bytes per character of assembly source (past the header block)' },
  hotRunBytes: { value: 185, unit: 'B', min: 32, max: 65536, provenance: 'I', source: 'measured with the traces of codeLineBytesPerInstruction (gcc 12 -O2 -march=i386 without block reordering or label alignment): the 3,244 lines the 64 traced Linux 2.0 and OSF MK cases touch form 560 clusters of consecutive lines, 5.79 lines = 185 B each (Linux 5.81, OSF MK 5.62; plain -O2 4.50); inside a cluster the executed code is runs of 31.5 B between jumps, the gaps between them the skipped arms. A path of C code is split into near-equal runs of whole lines averaging this, each at its own place in its module', description: 'a cluster of consecutive I-cache lines a compiled C path executes in before it jumps elsewhere in its module' },
  codeBytesPerCycle: { value: 3.5, unit: 'B/cycle', min: 0, max: 32, provenance: 'I', source: 'estimate: ≈ 3 bytes per IA-32 instruction at ≈ 1 cycle each, + 15 % for skipped branch arms; now the footprint of code that is not compiled kernel C: the hand-written assembly rows (i386/locore.s, spl.S, bzero.s; one contiguous block each) and the MIG user stubs of libmach', description: 'I-cache footprint of an assembly path or user stub per instruction cycle' },
  codeLineBytesPerInstruction: CODE_LINE_BYTES_PER_INSTRUCTION,
  portBytes: { value: 96, unit: 'B', min: 4, max: 4096, provenance: 'I', source: 'estimate: sizeof(struct ipc_port) in Mach 3.0 ≈ 92 B (ipc_object, receiver, kobject, mscount, srights, sorights, mqueue, ...)', description: 'bytes of a port touched by a lookup or enqueue' },
  entryBytes: { value: 16, unit: 'B', min: 4, max: 256, provenance: 'C', source: 'struct ipc_entry in Mach 3.0: ie_bits, ie_object, ie_request, ie_index/next = 4 words (recalled, not re-read)', description: 'size of one IPC space entry' },
  kernelStackBytes: { value: 64, unit: 'B', min: 0, max: 4096, provenance: 'C', source: 'OSF MK (slp/osfmk-mklinux) i386: a trap from user mode pushes its frame into the activation\'s PCB (i386_saved_state, charged as the PCB\'s lines: threadLayout.ts), then locore switches to kernel_stack[cpu], which MACHINE_STACK_STASH (i386/thread.h) sets below the i386_kernel_state and i386_exception_link at the stack\'s top (28 bytes); the top line holds those and the first pushes, the next the dispatch\'s frames (mach_call_range\'s 5 words or do_native_call\'s argument words, the routine\'s return address and prologue): 2 lines. Replaces the estimate of a pusha/segments/trap frame on the kernel stack (64 B)', description: 'kernel-stack bytes at the stack top touched per trap' },
  kmsgZoneElementBytes: { value: 256, unit: 'B', min: 64, max: 4096, provenance: 'R', source: 'IKM_SAVED_KMSG_SIZE = 256, overhead included (Mach ipc/ipc_kmsg.h, read)', description: 'size of a kmsg from the kmsg zone (larger ones are kalloc\'d)' },
  kmsgOverheadBytes: { value: 16, unit: 'B', min: 0, max: 256, provenance: 'I', source: 'Mach 3.0 struct ipc_kmsg before the header: ikm_next, ikm_prev, ikm_size, ikm_marequest', description: 'kmsg bookkeeping before the message header' },
  spaceBytes: { value: 32, unit: 'B', min: 4, max: 1024, provenance: 'I', source: 'estimate: struct ipc_space fields used on a lookup (lock, table pointer, size)', description: 'bytes of an IPC space touched per lookup' },
  objectBytes: { value: 64, unit: 'B', min: 4, max: 1024, provenance: 'I', source: 'estimate: struct vm_object fields touched by a fault', description: 'bytes of a VM object touched per fault' },
  mapEntryBytes: { value: 48, unit: 'B', min: 4, max: 1024, provenance: 'I', source: 'estimate: struct vm_map_entry (links, start, end, object, offset, protection, inheritance, flags)', description: 'size of a VM map entry' },
  initialSpaceEntries: { value: 64, unit: 'entries', min: 8, max: 65536, provenance: 'I', source: 'estimate: an initial ipc_table size of the period (Mach grows tables by ipc_table_entries)', description: 'IPC space table size at task creation' },
  queueLimit: { value: 5, unit: 'messages', min: 1, max: 65536, provenance: 'R', source: 'MACH_PORT_QLIMIT_DEFAULT = 5 (Mach 3 mach/port.h, read)', description: 'messages queued on a port before senders block' },
  defaultPriority: { value: 12, unit: 'priority', min: 0, max: 31, provenance: 'R', source: 'BASEPRI_USER = 12, BASEPRI_SYSTEM = 6 of NRQS = 32, 0 highest (Mach 3 kern/sched.h, read)', description: 'priority of user threads' },
  serverPriority: { value: 9, unit: 'priority', min: 0, max: 31, provenance: 'R', source: 'OSF MK (slp/osfmk-mklinux) kern/sched.h with NRQS 32 (MACH_RT off): PRI_USER_CHUNK = 20, PRI_KERNEL_CHUNK = 6, BASEPRI_SYSTEM = 6, BASEPRI_USER = 12, BASEPRI_SERVER = BASEPRI_SYSTEM + (BASEPRI_USER - BASEPRI_SYSTEM)/2 = 9; MkLinux\'s server_thread_init (osfmach3/server/server_thread.c) sets its task to POLICY_RR at BASEPRI_SERVER', description: 'priority of a server task (task_set_policy): what a thread migrating into it assumes' },
  quantumMs: { value: 100, unit: 'ms', min: 1, max: 10000, provenance: 'C', source: 'Mach 3.0 min_quantum of 1 tick at hz = 100, sched quantum 100 ms on i386 (recalled)', description: 'time slice' },
});

export type MachParameterSpecs = typeof MACH_PARAMETERS;
export type MachOverrides = ParameterOverrides<MachParameterSpecs>;
export type MachParameters = ParameterTable<MachParameterSpecs>['values'];

export function machParameters(overrides: MachOverrides = {}): ParameterTable<MachParameterSpecs> {
  return new ParameterTable('mach', MACH_PARAMETERS, overrides);
}

/** Names of the parameters that are kernel paths (cycles). */
export type MachPathName = {
  [K in keyof MachParameterSpecs]: MachParameterSpecs[K]['unit'] extends 'cycles' ? K : never;
}[keyof MachParameterSpecs];

const PATH_CATEGORY: Partial<Record<MachPathName, CycleCategory>> = {
  trapEntry: 'kernelEntry',
  trapArgumentWord: 'kernelEntry',
  trapExit: 'kernelEntry',
  trapArguments: 'kernelEntry',
  syscallEntry: 'kernelEntry',
  exceptionEntry: 'kernelEntry',
  interruptEntry: 'kernelEntry',
  replyPortTrap: 'machIpc',
  fastException: 'machIpc',
  switchActIn: 'machIpc',
  switchActOut: 'machIpc',
  machineSwitchAct: 'machIpc',
  exceptionReturnWrapper: 'machIpc',
  entryLookup: 'machIpc',
  rightCopyin: 'machIpc',
  rightCopyout: 'machIpc',
  machMsgTrap: 'machIpc',
  kmsgGet: 'machIpc',
  copyinHeader: 'machIpc',
  copyinBodyItem: 'machIpc',
  oolCopyin: 'machIpc',
  oolCopyinPage: 'machIpc',
  mqueueSend: 'machIpc',
  mqueueReceive: 'machIpc',
  copyoutHeader: 'machIpc',
  copyoutBodyItem: 'machIpc',
  oolCopyout: 'machIpc',
  oolCopyoutPage: 'machIpc',
  kmsgPut: 'machIpc',
  kmsgFree: 'machIpc',
  kmsgGetFromKernel: 'machIpc',
  rpcFromKernel: 'machIpc',
  copyinHeaderReply: 'machIpc',
  rightCopyinMake: 'machIpc',
  copyinBody: 'machIpc',
  copyoutHeaderReply: 'machIpc',
  copyoutBody: 'machIpc',
  machMsgSend: 'machIpc',
  machMsgReceive: 'machIpc',
  mqueueCopyin: 'machIpc',
  mqueueWakeReceiver: 'machIpc',
  kmsgEnqueue: 'machIpc',
  mqueueReceiveWait: 'machIpc',
  fastEntry: 'machIpc',
  fastGet: 'machIpc',
  fastCopyinRequest: 'machIpc',
  fastCopyinReply: 'machIpc',
  fastSendReceive: 'machIpc',
  fastReceiveResume: 'machIpc',
  fastCopyoutRequest: 'machIpc',
  fastCopyoutReply: 'machIpc',
  fastPut: 'machIpc',
  fastKernelSend: 'machIpc',
  fastSlowPath: 'machIpc',
  kobjectServer: 'machIpc',
  migServerArgument: 'machIpc',
  migStub: 'machIpc',
  migStubArgument: 'machIpc',
  pmapActivate: 'addressSpaceSwitch',
  splTransition: 'kernel',
  clockInterrupt: 'kernel',
  deviceRequest: 'device',
};

/**
 * The source file of each path's main function (a file of `KERNEL_LINK_ORDER`): where its code
 * lies unless `PATH_FUNCTIONS` divides it between functions of several files. 'user' paths run in
 * the task (MIG client stubs) and 'inline' ones are per-unit costs folded into another path.
 */
const PATH_MODULE: Record<MachPathName, string> = {
  trapEntry: 'i386/locore.s',
  trapArgumentWord: 'i386/locore.s',
  trapExit: 'i386/locore.s',
  trapArguments: 'i386/locore.s',
  syscallEntry: 'i386/locore.s',
  interruptEntry: 'i386/locore.s',
  exceptionEntry: 'i386/trap.c',
  switchContext: 'i386/pcb.c',
  splTransition: 'i386/spl.S',
  pmapActivate: 'i386/pcb.c',
  replyPortTrap: 'ipc/ipc_port.c',
  entryLookup: 'ipc/ipc_entry.c',
  rightCopyin: 'ipc/ipc_right.c',
  rightCopyout: 'ipc/ipc_right.c',
  machMsgTrap: 'ipc/mach_msg.c',
  kmsgGet: 'ipc/ipc_kmsg.c',
  copyinHeader: 'ipc/ipc_kmsg.c',
  copyinBodyItem: 'ipc/ipc_kmsg.c',
  copyoutHeader: 'ipc/ipc_kmsg.c',
  copyoutBodyItem: 'ipc/ipc_kmsg.c',
  kmsgPut: 'ipc/ipc_kmsg.c',
  kmsgFree: 'ipc/ipc_kmsg.c',
  kmsgGetFromKernel: 'ipc/ipc_kmsg.c',
  copyinHeaderReply: 'ipc/ipc_kmsg.c',
  rightCopyinMake: 'ipc/ipc_right.c',
  copyinBody: 'ipc/ipc_kmsg.c',
  copyoutHeaderReply: 'ipc/ipc_kmsg.c',
  copyoutBody: 'ipc/ipc_kmsg.c',
  machMsgSend: 'ipc/mach_msg.c',
  machMsgReceive: 'ipc/mach_msg.c',
  mqueueCopyin: 'ipc/ipc_mqueue.c',
  mqueueWakeReceiver: 'ipc/ipc_mqueue.c',
  kmsgEnqueue: 'ipc/ipc_mqueue.c',
  mqueueReceiveWait: 'ipc/ipc_mqueue.c',
  fastEntry: 'ipc/mach_msg.c',
  fastGet: 'ipc/mach_msg.c',
  fastCopyinRequest: 'ipc/mach_msg.c',
  fastCopyinReply: 'ipc/mach_msg.c',
  fastSendReceive: 'ipc/mach_msg.c',
  fastReceiveResume: 'ipc/mach_msg.c',
  fastCopyoutRequest: 'ipc/mach_msg.c',
  fastCopyoutReply: 'ipc/mach_msg.c',
  fastPut: 'ipc/mach_msg.c',
  fastKernelSend: 'ipc/mach_msg.c',
  fastSlowPath: 'ipc/mach_msg.c',
  mqueueSend: 'ipc/ipc_mqueue.c',
  mqueueReceive: 'ipc/ipc_mqueue.c',
  threadSelfTrap: 'kern/ipc_tt.c',
  kobjectServer: 'kern/ipc_kobject.c',
  migServerArgument: 'kern/ipc_kobject.c',
  threadBlock: 'kern/sched_prim.c',
  threadSetrun: 'kern/sched_prim.c',
  remRunq: 'kern/sched_prim.c',
  idleDispatch: 'kern/sched_prim.c',
  idleThreadRun: 'kern/sched_prim.c',
  setTs: 'inline',
  lldt: 'inline',
  exceptionRaise: 'kern/exception.c',
  rpcFromKernel: 'kern/ipc_mig.c',
  fastException: 'kern/exception.c',
  exceptionReturnWrapper: 'kern/exception.c',
  machineSwitchAct: 'i386/pcb.c',
  threadGetState: 'i386/pcb.c',
  threadSetState: 'i386/pcb.c',
  threadSetPolicy: 'kern/thread.c',
  clockInterrupt: 'kern/mach_clock.c',
  oolCopyin: 'vm/vm_map.c',
  oolCopyinPage: 'vm/vm_map.c',
  oolCopyout: 'vm/vm_map.c',
  oolCopyoutPage: 'vm/vm_map.c',
  vmAllocate: 'vm/vm_map.c',
  vmDeallocate: 'vm/vm_map.c',
  vmProtect: 'vm/vm_map.c',
  vmMap: 'vm/vm_map.c',
  vmRemap: 'vm/vm_map.c',
  vmPageWork: 'inline',
  vmFault: 'vm/vm_fault.c',
  pageZero: 'vm/vm_fault.c',
  pagerRequest: 'vm/memory_object.c',
  pagerSupply: 'vm/memory_object.c',
  deviceRequest: 'device/ds_routines.c',
  migStub: 'user',
  migStubArgument: 'user',
  threadDepress: 'kern/syscall_subr.c',
  threadDepressAbort: 'kern/syscall_subr.c',
  threadDepressSelfAbort: 'kern/syscall_subr.c',
  switchActIn: 'kern/thread_act.c',
  switchActOut: 'kern/thread_act.c',
};

/**
 * A kernel path: its head (cycles, category and the first run of its code) and the further runs of
 * code it fetches (no cycles of their own). Run it with `MachKernel.execute`.
 */
export interface MachPath extends CodePath {
  readonly pieces: readonly CodePath[];
}

/** Where a path's code lives (kernel text) and what it costs: the model's path table. */
export type MachPaths = { readonly [K in MachPathName]: MachPath };

/**
 * Paths whose cycles are not a structural instruction count: REP STOSD's per-dword figure, the
 * clocks of single multi-cycle instructions (setTs, lldt), and the MIG user stubs (user code, not the kernel that
 * `structuralCoverage` was calibrated on).
 */
const NOT_COUNTED: ReadonlySet<MachPathName> = new Set<MachPathName>(['pageZero', 'migStub', 'migStubArgument', 'setTs', 'lldt']);

/**
 * Paths whose value is a complete count of the instructions the source executes (every prologue,
 * call and test, read from slp/osfmk-mklinux), not a count of the main operations: nothing is
 * missing from them for `structuralCoverage` to add, so they are charged at one cycle per
 * instruction, as the coverage-corrected structural counts are.
 */
const COMPLETE_COUNT: ReadonlySet<MachPathName> = new Set<MachPathName>([
  'threadBlock', 'threadSetrun', 'remRunq', 'switchContext', 'idleDispatch', 'idleThreadRun',
  'fastException', 'switchActIn', 'switchActOut', 'machineSwitchAct', 'exceptionReturnWrapper',
  'threadDepress', 'threadDepressAbort', 'threadDepressSelfAbort',
  'trapEntry', 'trapArguments', 'trapArgumentWord', 'trapExit', 'syscallEntry', 'exceptionEntry', 'interruptEntry',
  'exceptionRaise', 'kmsgGetFromKernel', 'rpcFromKernel', 'threadGetState', 'threadSetState', 'threadSetPolicy', 'threadSelfTrap', 'pmapActivate', 'splTransition',
  'kobjectServer', 'migServerArgument',
  'machMsgTrap', 'kmsgGet', 'copyinHeader', 'rightCopyin', 'entryLookup', 'copyinBodyItem',
  'mqueueSend', 'mqueueReceive', 'copyoutHeader', 'rightCopyout', 'copyoutBodyItem', 'kmsgPut',
  'kmsgFree', 'copyinHeaderReply', 'rightCopyinMake', 'copyinBody', 'copyoutHeaderReply',
  'copyoutBody', 'machMsgSend', 'machMsgReceive', 'mqueueCopyin', 'mqueueWakeReceiver',
  'kmsgEnqueue', 'mqueueReceiveWait', 'fastEntry', 'fastGet', 'fastCopyinRequest',
  'fastCopyinReply', 'fastSendReceive', 'fastReceiveResume', 'fastCopyoutRequest',
  'fastCopyoutReply', 'fastPut', 'fastKernelSend', 'fastSlowPath',
]);

/**
 * The cycles a kernel path costs: its structural count divided by `structuralCoverage` (see there);
 * a complete count (COMPLETE_COUNT) or a measured figure (NOT_COUNTED) as it is.
 */
export function pathCycles(p: MachParameters, name: MachPathName): number {
  const counted = (p as Record<string, number>)[name];
  return NOT_COUNTED.has(name) || COMPLETE_COUNT.has(name) ? counted : Math.round(counted / p.structuralCoverage);
}

/** Modules of hand-written assembly: compact code, each path one contiguous block at `codeBytesPerCycle`. */
const ASSEMBLY_MODULES: ReadonlySet<string> = new Set(['i386/locore.s', 'i386/spl.S']);

/**
 * Assembly rows whose cycles are not their code's instructions, with the instructions of their
 * code: pageZero's 1,024 dword stores are one REP STOSL of bzero (i386/bzero.s of
 * slp/osfmk-mklinux: push, two argument loads, xor, cld, the dword count and REP STOSL, the byte
 * count and REP STOSB, pop, ret = 13 instructions).
 */
const ASSEMBLY_INSTRUCTIONS: Partial<Record<MachPathName, number>> = { pageZero: 13 };

/** A run of a path's code before it is placed: its bytes and where in its file it belongs. */
interface PendingRun { name: string; source: string; bytes: number; head: boolean; fn?: string }

/**
 * The runs of code a path fetches, by file, in bytes of whole lines: an assembly row one block of
 * its instructions × `codeBytesPerCycle`; a compiled C row its instructions (its cycles: complete
 * counts are instructions, structural counts are charged at one cycle per instruction) ×
 * `codeLineBytesPerInstruction`, divided between the functions its row names (`PATH_FUNCTIONS`, in
 * proportion to the instructions the row gives each) and split into clusters of lines averaging
 * `hotRunBytes`. The first run carries the path's cycles.
 */
function codeRuns(p: MachParameters, name: MachPathName, source: string, line: number): Map<string, PendingRun[]> {
  const byFile = new Map<string, PendingRun[]>();
  const add = (file: string, run: PendingRun) => (byFile.get(file) ?? byFile.set(file, []).get(file)!).push(run);
  const module = PATH_MODULE[name];
  const assembly = ASSEMBLY_INSTRUCTIONS[name];
  if (assembly !== undefined || ASSEMBLY_MODULES.has(module)) {
    const bytes = wholeLineBytes((assembly ?? pathCycles(p, name)) * p.codeBytesPerCycle, line);
    if (bytes > 0) add(module, { name, source, bytes, head: true });
    return byFile;
  }
  const parts = PATH_FUNCTIONS[name] ?? [{ file: module, instructions: 1 }];
  const lines = wholeLineBytes(pathCycles(p, name) * p.codeLineBytesPerInstruction, line) / line;
  let head = true;
  apportion(lines, parts.map((part) => part.instructions)).forEach((partLines, i) => {
    for (const bytes of splitIntoRuns(partLines * line, p.hotRunBytes, line)) {
      add(parts[i].file, { name, source, bytes, head, fn: parts[i].fn });
      head = false;
    }
  });
  return byFile;
}

/** An object file as {@link layoutMachPaths} links it: where its text starts and how many bytes it has. */
export interface LinkedText { readonly file: string; readonly address: number; readonly bytes: number }

/** Text bytes of `chars` characters of source (its copyright and history block not counted). */
function sourceTextBytes(p: MachParameters, chars: number, assembly: boolean): number {
  return textBytes(chars, SOURCE_HEADER_CHARS, assembly ? p.assemblyTextBytesPerSourceChar : p.textBytesPerSourceChar);
}

/**
 * Lays the kernel paths out in kernel text from `textBase` as OSF MK's i386 PRODUCTION link does
 * (kernelTextLayout.ts): object file after object file in link order (`KERNEL_LINK_ORDER`), each
 * of the text size its source gives (its characters × `textBytesPerSourceChar`, or
 * `assemblyTextBytesPerSourceChar` for assembly). A path's code is not one block: it is the
 * clusters of lines it executes in (`hotRunBytes` on average, see {@link codeRuns}) in the
 * functions its row names (`PATH_FUNCTIONS`), each run at its function's place in its file: the
 * text bytes of the source before the function's definition (`FUNCTION_OFFSETS`); runs of one
 * place follow each other, and runs never overlap. The runs are whole lines, on line boundaries:
 * the lines a path touches beyond its executed bytes (runs starting inside a line, skipped arms)
 * are already in `codeLineBytesPerInstruction`, which counts the lines touched.
 *
 * What the sources do not give is drawn from `seed` (by default the parameter `linkMapSeed`,
 * fixed, so every run has the same kernel text; `--set mach.linkMapSeed=N` builds another), each
 * file from its own generator (the seed mixed with its name, so a change to one file's paths
 * re-lays that file only): the size of a file that is generated at build time
 * or not in the index (0.5–1.5 × `moduleTextBytes`, drawn first), and the place within its file of
 * a function whose offset was not read. A file that its paths overfill grows. User-side and inline
 * paths get no code address (bytes 0: their cycles are charged without an instruction fetch).
 */
export function layoutMachPaths(p: MachParameters, textBase: number, seed = p.linkMapSeed): { paths: MachPaths; textEnd: number; objects: LinkedText[] } {
  const line = 32;
  const runsByFile = new Map<string, PendingRun[]>();
  for (const [name, spec] of Object.entries(MACH_PARAMETERS)) {
    if (spec.unit !== 'cycles' || PATH_MODULE[name as MachPathName] === 'user' || PATH_MODULE[name as MachPathName] === 'inline') continue;
    for (const [file, runs] of codeRuns(p, name as MachPathName, spec.source, line)) (runsByFile.get(file) ?? runsByFile.set(file, []).get(file)!).push(...runs);
  }
  const heads: Record<string, CodePath> = {};
  const pieces: Record<string, CodePath[]> = {};
  const codePath = (name: string, cycles: number, address: number, bytes: number, source: string): CodePath => ({
    name: `mach.${name}`, cycles, category: PATH_CATEGORY[name as MachPathName] ?? 'kernel', address, bytes, source,
  });
  const objects: LinkedText[] = [];
  let offset = textBase;
  for (const object of KERNEL_LINK_ORDER) {
    const random = new SeededRandom(seed ^ nameHash(object.file));
    const drawn = object.chars === undefined ? p.moduleTextBytes * (0.5 + random.next()) : 0;
    const size = Math.round(drawn + (object.chars ?? []).reduce((sum, chars) => sum + sourceTextBytes(p, chars, object.assembly === true), 0));
    const runs = runsByFile.get(object.file) ?? [];
    runsByFile.delete(object.file);
    if (runs.length === 0) {
      objects.push({ file: object.file, address: offset, bytes: size });
      offset += size;
      continue;
    }
    const start = Math.ceil(offset / line) * line;
    const functionChars = FUNCTION_OFFSETS[object.file] ?? {};
    // a drawn run's place leaves room for all of the file's runs, so drawn runs alone never overfill it
    const room = Math.max(0, size - runs.reduce((sum, run) => sum + run.bytes, 0));
    const targets = runs.map((run) => {
      const chars = run.fn === undefined ? undefined : functionChars[run.fn];
      return chars === undefined ? random.next() * room : sourceTextBytes(p, chars, object.assembly === true);
    });
    const { offsets, end: cursor } = placeRuns(runs.map((run) => run.bytes), targets, line);
    // in the order of their places (runs of whole lines never share an offset)
    for (const i of runs.map((_, k) => k).sort((a, b) => offsets[a] - offsets[b])) {
      const run = runs[i];
      const address = start + offsets[i];
      if (run.head) heads[run.name] = codePath(run.name, pathCycles(p, run.name as MachPathName), address, run.bytes, run.source);
      else (pieces[run.name] ??= []).push(codePath(run.name, 0, address, run.bytes, run.source));
    }
    objects.push({ file: object.file, address: start, bytes: Math.max(size, cursor) });
    offset = start + Math.max(size, cursor);
  }
  if (runsByFile.size > 0) throw new Error(`kernel paths in files outside the link order: ${[...runsByFile.keys()].join(', ')}`);
  const paths: Record<string, MachPath> = {};
  for (const [name, spec] of Object.entries(MACH_PARAMETERS)) {
    if (spec.unit !== 'cycles') continue;
    const head = heads[name] ?? codePath(name, pathCycles(p, name as MachPathName), textBase, 0, spec.source);
    paths[name] = { ...head, pieces: pieces[name] ?? [] };
  }
  return { paths: paths as MachPaths, textEnd: offset, objects };
}
