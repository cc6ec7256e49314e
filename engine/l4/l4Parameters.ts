import { defineParameters, ParameterTable, type ParameterOverrides } from '../base/parameters';

/**
 * The L4 kernel's cost table: one row per primitive, never per benchmark (DESIGN.md §2). Kernel
 * entry and exit are the machine's `intOuter` / `iretOuter`; CR3 loads, TLB refills and cache
 * misses come from the machine model as the paths touch memory. The rows here are the
 * instruction cycles of the kernel's own paths and the memory they touch. Sources use the short
 * names of `shared/reference/pentium-parameters.md`.
 *
 * The short-IPC path has no published instruction count (HotOS'97 gives only the 121-cycle
 * total). Its value is inferred: 121 (HotOS'97, one way between small spaces, warm) − 82 (machine
 * intOuter + iretOuter, SOSP'97 §5.2) − 15 (small-space switch, SOSP'95 §4.1.2) − 4 (user stub)
 * = 20 cycles ≈ 35 simple instructions paired in the U and V pipes. With cold caches or large
 * spaces the total grows through the machine model, not through this row.
 */
export const L4_PARAMETERS = defineParameters({
  ipcStubCycles: { value: 4, unit: 'cycles', min: 0, max: 100, provenance: 'I', source: 'estimate: loading EAX, ECX, EDX, EBX, EBP, ESI, EDI (7 MOVs) before INT 0x30, paired in two pipes ≈ 4 cycles; all an IPC needs when the registers are set up in line, as the L4 pingpong\'s WHATTODO_SHORT_PING/PONG loops do (L4ENV pkg/pingpong worker_inc.h)', description: 'user-level IPC stub before the trap (registers only)' },
  ipcBindingSaveInstructions: { value: 1, unit: 'instructions', min: 0, max: 20, provenance: 'R', source: 'L4ENV@f68bf96 ipc-l42-gcc273-nopic.h: every C binding brackets int $0x30 with pushl %ebp / popl %ebp (EBP carries the receive descriptor); charged once before and once after the trap', description: 'C binding: EBP save before and restore after the trap, each' },
  ipcBindingStoreInstructions: { value: 1, unit: 'instructions', min: 0, max: 20, provenance: 'R', source: 'L4ENV@f68bf96 ipc-l42-gcc273-nopic.h: the C bindings return the result dope, the received words and (wait, reply_and_wait) the source id through output pointers ("=a" (*result), "=d" (*rcv_dword0), "=b" (*rcv_dword1), src->lh): one MOV to memory each', description: 'C binding: per result stored through an output pointer' },
  ipcBindingIndirectBefore: { value: 4, unit: 'instructions', min: 0, max: 20, provenance: 'R', source: 'L4ENV@f68bf96 l4_i386_ipc_reply_and_wait: the destination and source pointers go in an address block (2 stores), pushl %esi, movl (%esi),%esi before the id loads', description: 'reply_and_wait binding: address block before the trap' },
  ipcBindingPicBefore: { value: 4, unit: 'instructions', min: 0, max: 20, provenance: 'R', source: 'L4ENV@f68bf96 ipc-l42-gcc273-pic.h (l4_i386_ipc_call, reply_and_wait): EBX is the GOT pointer, so the two words go through a block (2 stores), pushl %ebx, and the second word is loaded from the block into EBX', description: 'PIC binding (shared library): word block and EBX save before the trap' },
  ipcBindingPicAfter: { value: 2, unit: 'instructions', min: 0, max: 20, provenance: 'R', source: 'L4ENV@f68bf96 ipc-l42-gcc273-pic.h: movl %ebx,%ecx (the second received word) and popl %ebx after the trap', description: 'PIC binding: EBX restore after the trap' },
  ipcBindingIndirectAfter: { value: 2, unit: 'instructions', min: 0, max: 20, provenance: 'R', source: 'L4ENV@f68bf96 l4_i386_ipc_reply_and_wait: popl %ebp, movl 4(%ebp),%ebp (the source pointer) before storing the source id', description: 'reply_and_wait binding: reloading the source pointer after the trap' },
  ipcShortPathCycles: { value: 20, unit: 'cycles', min: 1, max: 1000, provenance: 'I', source: 'HotOS97 121 cycles one way − 82 entry/exit (SOSP97 §5.2) − 15 small-space switch (SOSP95 §4.1.2) − 4 stub; ≈ 35 paired instructions (check partner state, switch kernel stack and TSS.esp0, copy 2 registers)', description: 'short IPC path instructions (send + switch + receive side)' },
  ipcPathBytes: { value: 256, unit: 'B', min: 0, max: 8192, provenance: 'I', source: 'HotOS97: short IPC uses 2.3 % of the 16 KB L1 (≈ 370 B ≈ 12 lines); ≈ 8 of them code', description: 'code bytes of the short IPC path (I-cache footprint)' },
  tcbHotBytes: { value: 32, unit: 'B', min: 4, max: 1024, provenance: 'I', source: 'SOSP95 §4.2: IPC touches the state, partner and queue fields of both TCBs, kept in one line', description: 'TCB bytes the IPC path touches per thread' },
  kernelFrameBytes: { value: 32, unit: 'B', min: 4, max: 512, provenance: 'R', source: 'SDM Vol.3 §6.12: INT from ring 3 pushes SS, ESP, EFLAGS, CS, EIP (20 B) at the top of the kernel stack; L4 keeps it in the TCB slot', description: 'kernel-stack bytes of the trap frame' },
  tcbBytes: { value: 1024, unit: 'B', min: 256, max: 4096, provenance: 'R', source: 'SOSP95 §5.1: TCB plus kernel stack aligned on 1 KB (not 4 KB), so 2 TCBs rarely conflict in the 2-way L1', description: 'TCB + kernel stack slot size and alignment' },
  smallSpaceSegmentLoads: { value: 5, unit: 'loads', min: 1, max: 10, provenance: 'R', source: 'SOSP95 §4.1.2: small-space switch = 15 cycles on the Pentium = 5 segment loads × 3 cycles (MAME MOV Sreg,m)', description: 'segment registers reloaded on a switch to or from a small space' },
  ipcLongPathCycles: { value: 60, unit: 'cycles', min: 0, max: 2000, provenance: 'I', source: 'estimate: read the send dope and the receiver\'s size dope, check sizes, set up the communication window (≈ 60 instructions); no published figure', description: 'extra path of a long (memory) message' },
  ipcStringCycles: { value: 20, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: read one string dope pair and check sizes (≈ 20 instructions)', description: 'per indirect string, beyond its copy' },
  windowSetupCycles: { value: 10, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: copy the receiver\'s PDE into the window slot of the current page directory (Liedtke 93 communication window)', description: 'installing one communication-window PDE' },
  deceitCheckCycles: { value: 6, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: load the virtual sender id (2 dwords of the user stack, charged through the caches) and compare the clan directions of the true and the virtual sender (≈ 10 paired instructions; SOSP95 §2.2 charges 2 cycles for the plain clan check)', description: 'deceiting send: reading and checking the virtual sender id' },
  mapItemCycles: { value: 25, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: decode a map item, check the receive window, loop set-up (pentium-parameters.md §2: map ≈ short IPC + 50–150)', description: 'per map/grant item in a message' },
  mapPageCycles: { value: 30, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: find the sender\'s mapping node, insert a child node, build the PTE (≈ 30 instructions); PTE and node memory are charged through the caches', description: 'per 4 KB page mapped or granted' },
  unmapPageCycles: { value: 20, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: visit one mapping node, clear its PTE, unlink (≈ 20 instructions); PTE and node memory through the caches', description: 'per mapping node flushed or downgraded' },
  unmapLookupCycles: { value: 12, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: before visiting anything derived from a page, fpage_unmap checks the caller\'s PTE and finds the caller\'s own mapping node (the per-page v_lookup, mapdb lookup and release of a v2 kernel\'s unmap loop: Fiasco mem_fpage_unmap, l4env kernel/fiasco/src/kern/shared/map_util-ia32-ux.cpp) ≈ 15 paired instructions; the PTE and node reads go through the caches', description: 'per page of an fpage_unmap that the caller has mapped' },
  pageTableClearCycles: { value: 1024, unit: 'cycles', min: 0, max: 100000, provenance: 'I', source: 'REP STOSD over the 1024 entries of a newly allocated page table at ≈ 1 cycle per dword (the machine table\'s repMovsPerDword; Linux\'s zeroPagePerDword and Mach\'s pageZero charge the same per dword): the MMU may walk only a cleared table; the stores go through the caches apart', description: 'clearing a page table the kernel allocates for a mapping (instructions)' },
  mappingNodeBytes: { value: 16, unit: 'B', min: 4, max: 256, provenance: 'I', source: 'SOSP95 Appendix A style node: space, address, parent, sibling/child links packed in 4 dwords', description: 'mapping-database node size' },
  unmapCallCycles: { value: 30, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: decode the fpage and the mask, walk set-up', description: 'fpage_unmap system call path, beyond its nodes' },
  pageFaultPathCycles: { value: 30, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: read CR2, build the fault message (address|write, EIP), find the pager (pentium-parameters.md §2: fault → pager → map ≈ 350–500 warm)', description: 'page-fault handler before its IPC to the pager' },
  exceptionPathCycles: { value: 40, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: look up the thread\'s handler, push EIP/EFLAGS/error on the user stack, redirect EIP', description: 'reflecting an exception to the user-level handler' },
  interruptPathCycles: { value: 30, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: find the attached thread, build the message, mask/ack at the PIC (port I/O charged separately)', description: 'hardware interrupt to IPC' },
  timerTickCycles: { value: 40, unit: 'cycles', min: 0, max: 10000, provenance: 'I', source: 'estimate: charge the time slice, check timeouts at the tick', description: 'timer tick handler' },
  schedulePathCycles: { value: 25, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: scan the highest non-empty ready queue, lazily drop blocked threads', description: 'choosing the next thread' },
  systemCallPathCycles: { value: 20, unit: 'cycles', min: 0, max: 1000, provenance: 'I', source: 'estimate: id_nearest, thread_switch, thread_schedule, lthread_ex_regs decoding (≈ 20 instructions each)', description: 'a non-IPC system call path' },
  taskNewCycles: { value: 400, unit: 'cycles', min: 0, max: 100000, provenance: 'I', source: 'estimate: allocate and clear a page directory (the kernel PDEs are copied and charged through the caches), set up lthread 0', description: 'task_new path beyond its memory touches' },
  defaultPriority: { value: 128, unit: 'priority', min: 0, max: 255, provenance: 'C', source: 'L4/x86 v2 default priority of user threads', description: 'priority of threads created without one' },
  timeSliceMs: { value: 10, unit: 'ms', min: 0.01, max: 1000, provenance: 'R', source: 'SOSP97 §4: L4Linux uses 10 ms time slices; charged at PIT ticks (at least one tick)', description: 'default time slice' },
});

/** The L4 cost table's type. */
export type L4ParameterSpecs = typeof L4_PARAMETERS;
/** What-if overrides of the L4 cost table. */
export type L4Overrides = ParameterOverrides<L4ParameterSpecs>;
/** The L4 cost table's values. */
export type L4Parameters = ParameterTable<L4ParameterSpecs>['values'];

/** The L4 cost table with overrides applied. */
export function l4Parameters(overrides: L4Overrides = {}): ParameterTable<L4ParameterSpecs> {
  return new ParameterTable('l4', L4_PARAMETERS, overrides);
}
