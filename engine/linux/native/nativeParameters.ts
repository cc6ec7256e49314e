import { defineParameters, ParameterTable, type ParameterOverrides } from '../../base/parameters';

/**
 * The native substrate's own paths: the i386 entry code of Linux 2.0 (arch/i386/kernel/entry.S:
 * SAVE_ALL, system_call, ret_from_sys_call, RESTORE_ALL, IRQ and exception stubs) and the
 * context switch. Each path is an instruction mix; cycles = simple instructions × the machine's
 * `instruction` + memory-operand ALU instructions × `aluRegMem` + segment-register loads/pops ×
 * `segmentLoad` + debug-register moves × `movDebugRegister` + `cliSti`, plus the hardware
 * `intOuter`/`iretOuter` and `taskSwitch` + CR3 load of the machine table. Counts are from the
 * 2.0 entry.S (system_call/ret_from_sys_call as in 2.0.x; the search index holds a 1.3-era
 * variant with the same SAVE_ALL/RESTORE_ALL and db6/db7 handling, id 460839113); Pentium
 * cycle classes from the Pentium timing tables (cld = 2, POP Sreg = 3, RMW ALU = 3, CALL r = 2).
 */
export const NATIVE_PARAMETERS = defineParameters({
  saveAllSimple: { value: 16, unit: 'instructions', provenance: 'R', source: 'entry.S: pushl %eax (orig_eax) + SAVE_ALL (cld [2 cycles], push gs/fs/es/ds, push eax/ebp/edi/esi/edx/ecx/ebx, movl $KERNEL_DS,%edx, movl $USER_DS,%edx)', description: 'SAVE_ALL: simple instructions (cycles)' },
  saveAllSegmentLoads: { value: 3, unit: 'loads', provenance: 'R', source: 'entry.S SAVE_ALL: mov %dx,%ds; mov %dx,%es; mov %dx,%fs', description: 'SAVE_ALL: segment-register loads' },
  systemCallSimple: { value: 15, unit: 'instructions', provenance: 'R', source: 'entry.S system_call: movl $-ENOSYS,EAX(%esp); cmpl $NR_syscalls; jae; movl sys_call_table(,%eax,4); testl; je; movl current_set,%ebx; movl %edx,dbgreg6(%ebx); jne; call *%eax [2]; movl %eax,EAX(%esp); jmp; + 1 for the RMW andl', description: 'system_call dispatch: simple instructions (cycles)' },
  systemCallMemoryOps: { value: 2, unit: 'instructions', provenance: 'R', source: 'entry.S system_call: andl $~CF_MASK,EFLAGS(%esp); testb $0x20,flags(%ebx) (PF_TRACESYS)', description: 'system_call: ALU instructions with a memory operand' },
  systemCallDebugReads: { value: 1, unit: 'moves', provenance: 'R', source: 'entry.S system_call: movl %db6,%edx (saved in current->debugreg[6])', description: 'system_call: debug-register reads' },
  retFromSysCallSimple: { value: 18, unit: 'instructions', provenance: 'R', source: 'entry.S ret_from_sys_call: jne; movl bh_mask; jne; movl EFLAGS(%esp); testl $VM_MASK; jne; je; orl $IF_MASK; andl $~NT_MASK; movl; jne reschedule; movl current_set; je; movl blocked; movl; notl; jne signal_return; + 1 operand-size prefix of cmpw', description: 'ret_from_sys_call: simple instructions (cycles)' },
  retFromSysCallMemoryOps: { value: 6, unit: 'instructions', provenance: 'R', source: 'entry.S ret_from_sys_call: cmpl $0,intr_count; andl bh_active; cmpw $KERNEL_CS,CS(%esp); cmpl $0,need_resched; cmpl task,%eax; andl signal(%eax),%ecx', description: 'ret_from_sys_call: memory-operand ALU instructions' },
  retFromSysCallSti: { value: 1, unit: 'instructions', provenance: 'R', source: 'entry.S ret_from_sys_call: sti before returning to user mode', description: 'ret_from_sys_call: sti' },
  restoreAllSimple: { value: 12, unit: 'instructions', provenance: 'R', source: 'entry.S RESTORE_ALL: je; movl current_set,%eax; movl dbgreg7(%eax),%ebx; popl ×7; addl $4,%esp; + 1 prefix of cmpw', description: 'RESTORE_ALL: simple instructions (cycles)' },
  restoreAllMemoryOps: { value: 1, unit: 'instructions', provenance: 'R', source: 'entry.S RESTORE_ALL: cmpw $KERNEL_CS,CS(%esp)', description: 'RESTORE_ALL: memory-operand ALU instructions' },
  restoreAllSegmentPops: { value: 4, unit: 'pops', provenance: 'R', source: 'entry.S RESTORE_ALL: pop %ds; pop %es; pop %fs; pop %gs', description: 'RESTORE_ALL: segment-register pops' },
  restoreAllDebugWrites: { value: 1, unit: 'moves', provenance: 'R', source: 'entry.S RESTORE_ALL: movl %ebx,%db7 when returning to user mode', description: 'RESTORE_ALL: debug-register writes' },
  irqEntrySimple: { value: 30, unit: 'instructions', provenance: 'I', source: 'irq.c BUILD_IRQ fast path: SAVE_ALL-like pushes, ENTER_KERNEL-less UP path, mask and ack the 8259, incl intr_count, call do_IRQ (kstat, handler loop)', description: 'hardware interrupt stub + do_IRQ' },
  irqPicAccesses: { value: 2, unit: 'I/O cycles', provenance: 'R', source: 'irq.c: outb to the master 8259 to mask/ack (inb mask + outb EOI)', description: 'ISA I/O cycles to the PIC per interrupt' },
  faultEntrySimple: { value: 22, unit: 'instructions', provenance: 'I', source: 'entry.S page_fault/error_code: push do_page_fault, push ds..ebx, xchg error code, movl %cr2 (fault.c), call', description: 'exception stub (error_code) + do_page_fault prologue' },
  memcpyFsSimple: { value: 5, unit: 'instructions', provenance: 'R', source: 'include/asm-i386/segment.h __generic_memcpy_fromfs/tofs: cld [2 cycles]; cmpl $3,n; jbe 1f; 1: movl n,%ecx before the final rep movsb', description: 'memcpy_fromfs/tofs set-up: simple instructions (cycles)' },
  memcpyFsAlignSimple: { value: 8, unit: 'instructions', provenance: 'R', source: 'segment.h, copies of more than 3 bytes: movl %edi,%ecx; negl; andl $3; subl; movl n,%ecx; shrl $2; andl $3,n; movl', description: 'memcpy_fromfs/tofs: alignment split of longer copies (cycles)' },
  memcpyFsAlignRepeats: { value: 2, unit: 'REP starts', provenance: 'R', source: 'segment.h, copies of more than 3 bytes: rep movsb (head) and rep movsl before the final rep movsb, each with the machine repMovsStartup', description: 'memcpy_fromfs/tofs: extra REP MOVS of longer copies' },
  memcpyToFsSegment: { value: 2, unit: 'loads', provenance: 'R', source: 'segment.h __generic_memcpy_tofs: push %es; push %fs; pop %es (ES = the user segment) ... pop %es', description: 'memcpy_tofs: segment-register loads' },
  memcpyToFsPushes: { value: 2, unit: 'instructions', provenance: 'R', source: 'segment.h __generic_memcpy_tofs: push %es; push %fs', description: 'memcpy_tofs: segment pushes (cycles)' },
  systemCallCodeBytes: { value: 160, unit: 'B', provenance: 'I', source: 'size of system_call + SAVE_ALL in entry.S (~55 instructions × ~3 B)', description: 'I-cache footprint of the entry path' },
  retCodeBytes: { value: 128, unit: 'B', provenance: 'I', source: 'ret_from_sys_call + RESTORE_ALL', description: 'I-cache footprint of the exit path' },
  scheduleCodeBytes: { value: 640, unit: 'B', provenance: 'I', source: 'schedule() + goodness + switch_to, gcc 2.7 -O2', description: 'I-cache footprint of schedule()' },
  scheduleTailCodeBytes: { value: 96, unit: 'B', provenance: 'I', source: 'include/asm-i386/system.h switch_to after the ljmp (cmpl last_task_used_math, clts, the debugreg[7] test) + schedule()\'s timeout test and epilogue: ~25 instructions × ~3 B, fetched by the task that resumes', description: 'part of scheduleCodeBytes run after the task switch' },
  pentiumMm: { value: true, unit: 'flag', provenance: 'R', source: 'Linux 2.0 include/asm-i386/pgtable.h "#define USE_PENTIUM_MM 1" (undefined for SMP); arch/i386/mm/init.c paging_init: on a CPU with 4 MB pages (x86_capability & 8) it sets CR4.PSE and maps memory at 0xC0000000 with 4 MB page-directory entries instead of page tables (read in liexusong/linux-2.0.0)', description: 'kernel memory mapped with 4 MB pages (USE_PENTIUM_MM); false: 4 KB page tables, as on a 486' },
  tssBytes: { value: 104, unit: 'B', provenance: 'R', source: 'Intel SDM Vol.3 §7.2.1: the 32-bit TSS is 104 bytes; the task switch stores the old and loads the new one', description: 'TSS bytes read/written by a task switch' },
});

export type NativeParameterSpecs = typeof NATIVE_PARAMETERS;
export type NativeParameters = ParameterTable<NativeParameterSpecs>['values'];
export type NativeOverrides = ParameterOverrides<NativeParameterSpecs>;

export function nativeParameters(overrides: NativeOverrides = {}): ParameterTable<NativeParameterSpecs> {
  return new ParameterTable('linuxNative', NATIVE_PARAMETERS, overrides);
}
