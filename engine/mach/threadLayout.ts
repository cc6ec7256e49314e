import type { KernelMemory } from './kernelMemory';

/**
 * Where the fields of an OSF MK thread lie, so that a path touches the 32-byte lines the real
 * structures put them on rather than one block from the structure's start. Offsets are of the
 * i386 PRODUCTION configuration of slp/osfmk-mklinux (NCPUS 1: decl_simple_lock_data is empty;
 * mutex_t is interlock, locked and a short: 12 bytes; no MACH_LDEBUG, ETAP, MACH_HOST,
 * MACH_ASSERT or MACH_PROF; THREAD_SWAPPER on, as exception_return_wrapper's count has it;
 * 4-byte pointers, ints and enums).
 *
 * struct thread_shuttle (kern/thread.h), 336 bytes: links 0, runq 8, whichq 12, pset_threads 16,
 * rpc_lock 24, ref_count 36, kernel_stack 40, stack_privilege 44, reason 48, wait_event 52,
 * wait_result 56, wait_link 60, wake_active 68, state 72, preempt 76, continuation 80,
 * priority 84, max_priority 88, sched_pri 92, sched_data 96, policy 100, depress_priority 104,
 * cpu_usage 108, sched_usage 112, sched_stamp 116, sleep_stamp 120, sched_change_stamp 124,
 * unconsumed_quantum 128, vm_privilege 132, recover 136, ith_next 140, ith_prev 144,
 * ith_state 148, ith_msize 152, ith_kmsg 156, ith_seqno 160, ith_messages 164, ith_lock_data
 * 168, ith_mig_reply 180, ith_rpc_reply 184, saved (ith_option 188, ith_scatter_list 192,
 * ith_scatter_list_size 196), user, system and depressed timers (kern/timer.h: 16 bytes each)
 * 200–247, the two timer saves 248–263, cpu_delta 264, sched_delta 268, timer and depress_timer
 * 272–319 (timer_elt_data_t taken as 24 bytes, kern/time_out.h not read), active 320,
 * processor_set 324, at_safe_point 328, top_act 332.
 *
 * struct thread_activation (kern/thread_act.h), ≈ 604 bytes: thr_acts 0, kernel_loaded 8,
 * kernel_loading 12, mact (i386/thread_act.h: the PCB stored in place, xxx_pcb, then its pointer)
 * 16: iis[2] (8 words each) 16–79, iss (i386_saved_state: 19 registers, 4 v86 segments,
 * argv_status and 7 argv words, 124 bytes) 80–203, ims (io_tss 204, ldt 208, ifps 212, v86s
 * 216) and mact.pcb 224; lock 228, ref_count 240, task 244, map 248, pool_port 252,
 * thread_pool_next 256, user_stack 260 and its size 264, rpc_state (the larger regular arm: 6
 * words, r_arg_buf_data[RPC_KBUF_SIZE 16], r_state, r_state_data[RPC_DESC_COUNT 4] of 2 words,
 * r_port_flags: 128 bytes, mach/rpc.h) 268–395, thread 396, higher 400, lower 404, alerts 408,
 * alert_mask 412, saved_policy 416, saved_base_priority 420, saved_sched_change_stamp 424,
 * suspend_count 428, user_stop_count 432, ast 436, swap_state 440, swap_queue 444, active 452,
 * handlers 456, special_handler 460, ith_self 468, ith_sself 472, exc_actions[EXC_TYPES_COUNT]
 * of {port, flavor, behavior} from 476 (EXC_SYSCALL, 7, at 560), held_ulocks after them.
 *
 * The model keeps both in one element of the thread zone: the shuttle at its start, the
 * activation at {@link ACTIVATION_OFFSET} (the shuttle rounded up to whole lines), so that each
 * field falls on the same line offset within its structure as in OSF MK.
 */

/** Where the activation starts in the model's thread element (336 rounded up to 32-byte lines). */
export const ACTIVATION_OFFSET = 352;

/** Bytes of one thread zone element: the shuttle's 352 and the activation's ≈ 604, in a power-of-two zone. */
export const THREAD_ELEMENT_BYTES = 1024;

/** The activation's PCB i386_saved_state (mact.xxx_pcb.iss at 80 in struct thread_activation). */
export const SAVED_STATE_OFFSET = ACTIVATION_OFFSET + 80;

const act = (offset: number) => ACTIVATION_OFFSET + offset;

/**
 * The part of the PCB a trap from user mode writes (locore's pushes of ss down to gs, iss 80–155,
 * on the PCB stack the TSS's esp0 points at) and return_from_kernel reads back: 19 words.
 */
export const TRAP_FRAME_OFFSET = SAVED_STATE_OFFSET;
export const TRAP_FRAME_BYTES = 19 * 4;

/**
 * The lines a thread switch (thread_block → thread_invoke → switch_context, and
 * act_machine_switch_pcb for the next thread) touches in each of the two threads: the shuttle's
 * run-queue links and rpc_lock (0–31); kernel_stack, reason, wait_event, wait_result and
 * wait_link (32–63); state, continuation and the priorities (64–95); policy, depress_priority,
 * sched_stamp and sched_change_stamp (96–127); unconsumed_quantum, ith_state, ith_msize and
 * ith_kmsg of a mach_msg receive (128–159); ith_seqno and ith_option (160–191);
 * ith_scatter_list (192–223); processor_set and top_act (320–351). In the activation: ims's
 * io_tss and ldt (192–223, act_machine_switch_pcb), mact.pcb, task and map (224–255, the TSS
 * esp0, current_task and PMAP_ACTIVATE), and ast (416–447, ast_context).
 */
export const SWITCH_LINES: readonly number[] = [0, 32, 64, 96, 128, 160, 192, 320, act(192), act(224), act(416)];

/**
 * The activation's lines exception() reads besides its PCB: active and the ith_self ports
 * (448–479) and exc_actions[EXC_SYSCALL] (544–575: port, flavor, behavior).
 */
export const EXCEPTION_LINES: readonly number[] = [act(448), act(544)];

/** Timing of touching `lines` (offsets of 32-byte lines) of the thread element at `base`. */
export function touchLines(memory: KernelMemory, base: number, lines: readonly number[], mode: 'read' | 'write' | 'update'): void {
  for (const line of lines) {
    if (mode !== 'write') memory.touch(base + line, 4);
    if (mode !== 'read') memory.touchWrite(base + line, 4);
  }
}
