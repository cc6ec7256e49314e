import { pathFunction, type LinkedObject, type PathFunction } from '../base/textLayout';

/**
 * OSF MK's kernel text as its sources lay it out: the object files of the i386 PRODUCTION link in
 * link order, the size of each one's source, and which functions each kernel path runs in. Read by
 * `layoutMachPaths` (machParameters.ts), which turns source characters into text bytes with
 * `textBytesPerSourceChar` / `assemblyTextBytesPerSourceChar` and draws only what is not here
 * (the steps it shares with the Linux layout are engine/base/textLayout.ts).
 *
 * Where the numbers come from (slp/osfmk-mklinux, osfmk/src/mach_kernel, read through the
 * project's search index):
 * - **Link order**: conf/template.mk links `LDOBJS = ${LDOBJS_PREFIX} ${OBJS} ${LDOBJS_SUFFIX}`,
 *   conf/AT386/template.mk sets `LDOBJS_PREFIX = ${ORDERED} locore.o` (locore.o = assym.S, start.S,
 *   locore.S and cswitch.S concatenated; no file of this configuration is `ordered`), and the config
 *   program's read_files (OSF MK6.1 mkmakefile.c: new_fent appends) lists OBJS in the order of
 *   conf/files, then conf/AT386/files. A file is in if it is `standard` or optional on an option of
 *   conf/AT386/PRODUCTION (AT386/config.common: MACH_PROF, STAT_TIME; conf/config.common:
 *   MACH_PAGEMAP, THREAD_SWAPPER, TASK_SWAPPER, pseudo-device test_device; `cpus` for kern/lock.c;
 *   at386 for the AT386 files). The list stops at i386/trap.c, the last file holding a modelled path;
 *   what follows it does not move any path.
 * - **Source size**: `chars` is each file's length in characters (the index's total_chars),
 *   comments, #if-dead code and the ≈ 3,000-character copyright and history block included. A file
 *   with no `chars` is generated at build time (MIG stubs: ./mach/*, ./device/*) or not in the index
 *   (device/blkio.c, cirbuf.c, device_init.c, io_scatter.c, data_device.c): its size is drawn around
 *   `moduleTextBytes`. ipc/ipc_port.c and device/dev_name.c, missing from slp/osfmk-mklinux, are
 *   taken from AlessandroSangiuliano/Uros, a derivative of the same tree (its ipc_entry.c and
 *   ipc_kmsg.c differ from slp/osfmk-mklinux's by 0.25 % and 0.16 % in length).
 * - **Functions**: `PATH_FUNCTIONS` names the functions each row's source text names, with the
 *   instructions the text attributes to each where it gives them (else one share). A part with
 *   no `fn` is code whose place in its file is not known (an inline of a header, an assembly
 *   routine, a generated stub): it is drawn within its file.
 * - **Function offsets**: `FUNCTION_OFFSETS` is the character offset of a function's definition
 *   in its file (the line with its name), read from the source pages; files not read have none,
 *   and their functions are drawn within the file.
 */

/** Characters of the OSF copyright, CMU history and CMU copyright block at the head of each source file (ipc/ipc_entry.c: ≈ 3,000 before its first #include). */
export const SOURCE_HEADER_CHARS = 3000;

const c = (file: string, chars?: number): LinkedObject => (chars === undefined ? { file } : { file, chars: [chars] });
const s = (file: string, ...chars: number[]): LinkedObject => ({ file, chars, assembly: true });

/** The i386 PRODUCTION kernel's object files in link order, up to i386/trap.c (see the header). */
export const KERNEL_LINK_ORDER: readonly LinkedObject[] = [
  s('i386/locore.s', 21987, 82426, 8012), // locore.o: i386/start.S, i386/locore.S, i386/cswitch.S
  c('ipc/ipc_entry.c', 24852), c('ipc/ipc_hash.c', 17499), c('ipc/ipc_init.c', 8353), c('ipc/ipc_kmsg.c', 97773),
  c('ipc/ipc_mqueue.c', 32383), c('ipc/ipc_notify.c', 13284), c('ipc/ipc_object.c', 25846), c('ipc/ipc_port.c', 53792),
  c('ipc/ipc_pset.c', 9831), c('ipc/ipc_right.c', 52148), c('ipc/ipc_space.c', 8605), c('ipc/ipc_splay.c', 24034),
  c('ipc/ipc_table.c', 6322), c('ipc/ipc_thread.c', 3926), c('ipc/mach_msg.c', 59085), c('ipc/mach_port.c', 45894),
  c('kern/thread_act.c', 59964), c('kern/thread_pool.c', 5575), c('kern/ast.c', 10257), c('kern/bootstrap.c', 24896),
  c('./mach/bootstrap_server.c'), c('kern/clock.c', 19759), c('kern/counters.c', 3872), c('kern/cpu_data.c', 1460),
  c('kern/debug.c', 8444), c('kern/exception.c', 48994), c('kern/eventcount.c', 5704), c('kern/etap.c', 36709),
  c('kern/host.c', 16246), c('kern/ipc_clock.c', 4164), c('kern/ipc_host.c', 14655), c('kern/ipc_kobject.c', 18329),
  c('kern/ipc_mig.c', 75538), c('kern/ipc_subsystem.c', 3067), c('kern/ipc_sync.c', 2261), c('kern/ipc_tt.c', 36166),
  c('kern/kalloc.c', 10976), c('kern/ledger.c', 10842), c('./mach/ledger_server.c'), c('kern/lock.c', 50449),
  c('kern/mach_clock.c', 21334), c('kern/mach_factor.c', 6842), c('kern/machine.c', 23995), c('kern/profile.c', 18581),
  c('kern/printf.c', 15935), c('kern/priority.c', 9069), c('kern/processor.c', 43367), c('kern/queue.c', 4202),
  c('kern/rpc.c', 86151), c('kern/sched_prim.c', 83074), c('kern/sscanf.c', 2180), c('kern/startup.c', 15425),
  c('kern/subsystem.c', 11405), c('kern/sync_lock.c', 20228), c('kern/sync_policy.c', 2308), c('kern/sync_sema.c', 11453),
  c('kern/syscall_emulation.c', 16056), c('kern/syscall_subr.c', 15624), c('kern/syscall_sw.c', 21742), c('kern/task.c', 62880),
  c('kern/task_swap.c', 42061), c('kern/thread.c', 78351), c('kern/thread_swap.c', 31236), c('kern/timer.c', 16542),
  c('kern/posixtime.c', 9055), c('kern/zalloc.c', 49571),
  c('./mach/clock_reply_user.c'), c('./mach/clock_server.c'), c('./mach/mach_host_server.c'), c('./mach/mach_port_server.c'),
  c('./mach/mach_server.c'), c('./mach/sync_server.c'), c('./mach/memory_object_default_user.c'), c('./mach/memory_object_user.c'),
  c('./mach/exc_user.c'), c('./mach/prof_user.c'),
  c('vm/memory_object.c', 59054), c('vm/vm_external.c', 7910), c('vm/vm_fault.c', 96739), c('vm/vm_init.c', 4483),
  c('vm/vm_kern.c', 34405), c('vm/vm_map.c', 227738), c('vm/vm_object.c', 139112), c('vm/vm_pageout.c', 67249),
  c('vm/vm_resident.c', 65828), c('vm/vm_user.c', 27412),
  c('device/blkio.c'), c('device/chario.c', 40599), c('device/cirbuf.c'), c('device/dev_lookup.c', 13462), c('device/dev_name.c', 9673),
  c('device/dev_pager.c', 22395), c('./device/device_reply_user.c'), c('./device/device_server.c'), c('device/device_init.c'),
  c('device/driver_lock.c', 11586), c('device/ds_routines.c', 67719), c('device/io_scatter.c'), c('device/net_io.c', 63876),
  c('device/subrs.c', 16761), c('device/test_device.c', 11285), c('device/data_device.c'), c('device/net_device.c', 77882),
  c('kern/norma_bootstrap.c', 1530),
  // conf/AT386/files
  c('chips/busses.c', 9630), c('intel/pmap.c', 93238), c('intel/read_fault.c', 7257), c('./mach/mach_i386_server.c'),
  s('i386/_setjmp.S', 3268), s('i386/bcopy.S', 3419), s('i386/bzero.S', 3081), c('i386/cpuid.c', 10337), c('i386/fpu.c', 21948),
  s('i386/gcc.S', 2589), c('i386/gdt.c', 4295), c('i386/hardclock.c', 9907), s('i386/i386_lock.S', 17214), s('i386/idt.S', 8906),
  s('i386/interrupt.S', 11814), c('i386/io_emulate.c', 5652), c('i386/io_map.c', 3134), c('i386/iopb.c', 14790),
  c('i386/ktss.c', 3917), c('i386/ldt.c', 3260), c('i386/loose_ends.c', 4608), c('i386/net_filter.c', 32655),
  s('i386/ntoh.S', 2646), c('i386/pcb.c', 35213), c('i386/phys.c', 5538), c('i386/pic.c', 10203), c('i386/i386_rpc.c', 18822),
  c('i386/rtclock.c', 21180), s('i386/spl.S', 14172), c('i386/trap.c', 33050),
];

const f = pathFunction;
const KMSG = 'ipc/ipc_kmsg.c';
const MSG = 'ipc/mach_msg.c';
const MQ = 'ipc/ipc_mqueue.c';
const RIGHT = 'ipc/ipc_right.c';
const OBJECT = 'ipc/ipc_object.c';
const SCHED = 'kern/sched_prim.c';
const PCB = 'i386/pcb.c';
const ACT = 'kern/thread_act.c';
const LOCORE = 'i386/locore.s';
const HOT = 'mach_msg_overwrite_trap';

/**
 * The functions of each compiled-C path, from its row's source text (MACH_PARAMETERS), with the
 * instructions the text gives each part; a path not listed runs in its `PATH_MODULE` file at an
 * undrawn place. Assembly rows (locore.s, spl.S) are one block and not listed.
 */
export const PATH_FUNCTIONS: Readonly<Record<string, readonly PathFunction[]>> = {
  exceptionEntry: [f(LOCORE, undefined, 29), f('i386/trap.c', 'user_trap', 42)],
  switchContext: [f(PCB, 'switch_context', 20), f(PCB, 'act_machine_switch_pcb', 32), f(LOCORE, undefined, 28)],
  pmapActivate: [f(PCB, 'switch_context')],
  machineSwitchAct: [f(PCB, 'machine_switch_act')],
  threadGetState: [f(ACT, 'thread_getstatus', 48), f(PCB, 'act_machine_get_state', 39)],
  threadSetState: [f(ACT, 'thread_setstatus', 48), f(PCB, 'act_machine_set_state', 58)],
  threadSetPolicy: [
    f('kern/thread.c', 'thread_set_policy', 50), f(ACT, 'act_lock_thread', 30), f('kern/thread.c', 'thread_max_priority_locked', 23),
    f('kern/thread.c', 'thread_priority_locked', 35), f(SCHED, 'compute_priority', 24), f(SCHED, 'set_pri', 27), f('kern/thread.c', 'thread_policy_common', 31),
  ],
  clockSleep: [
    f('kern/clock.c', 'clock_sleep_trap', 85), f('i386/rtclock.c', undefined, 30), f('kern/ipc_clock.c', undefined, 25), f('kern/clock.c', 'clock_sleep', 74),
    f('kern/clock.c', 'CheckTime', 27), f('kern/clock.c', 'PostAlarm', 43), f(SCHED, '__assert_wait', 30),
  ],
  taskCreate: [
    f('kern/task.c', 'task_create', 12), f('kern/task.c', 'task_create_local', 130), f('kern/zalloc.c', 'zalloc', 120), f('vm/vm_map.c', 'vm_map_create', 46),
    f('intel/pmap.c', 'pmap_create', 17), f('kern/lock.c', undefined, 64), f('kern/syscall_emulation.c', undefined, 15), f('kern/ipc_tt.c', 'ipc_task_init', 200),
    f('ipc/ipc_port.c', undefined, 83), f('ipc/ipc_space.c', 'ipc_space_create', 99), f('ipc/ipc_table.c', 'ipc_table_alloc', 7), f('kern/kalloc.c', 'kalloc', 22),
    f('kern/ledger.c', undefined, 48), f('kern/processor.c', undefined, 17), f('kern/ipc_tt.c', 'ipc_task_enable', 15), f('kern/ipc_kobject.c', 'ipc_kobject_set', 11),
    f('kern/task_swap.c', undefined, 23),
  ],
  taskInfo: [f('kern/task.c', 'task_info', 46)],
  taskSetExceptionPorts: [f('kern/ipc_tt.c', 'task_set_exception_ports', 203), f('ipc/ipc_port.c', undefined, 41)],
  taskTerminate: [
    f('kern/task.c', 'task_terminate', 69), f('kern/task.c', 'task_hold_locked', 26), f('kern/task.c', 'task_wait_locked', 54), f('kern/task.c', undefined, 104),
    f('kern/task_swap.c', undefined, 41), f(ACT, 'act_lock_thread', 6), f('kern/ipc_tt.c', 'ipc_task_terminate', 203), f('kern/ipc_kobject.c', 'ipc_kobject_set', 11),
    f('ipc/ipc_port.c', undefined, 89), f('ipc/ipc_space.c', 'ipc_space_destroy', 160), f('ipc/ipc_table.c', 'ipc_table_free', 10), f('kern/kalloc.c', 'kfree', 30),
    f('kern/zalloc.c', 'zfree', 40), f('kern/processor.c', undefined, 27),
  ],
  pmapDestroy: [f('intel/pmap.c', 'pmap_destroy', 32)],
  threadCreate: [
    f('kern/thread.c', 'thread_create', 52), f(ACT, 'act_create', 63), f('kern/zalloc.c', 'zalloc', 75), f('i386/bzero.S', undefined, 26), f('kern/task.c', 'task_reference', 8),
    f('kern/ipc_tt.c', 'ipc_thr_act_init', 72), f('ipc/ipc_port.c', undefined, 74), f('kern/thread_pool.c', undefined, 7), f('kern/ipc_kobject.c', 'ipc_kobject_set', 11),
    f(PCB, 'act_machine_create', 8), f(PCB, 'pcb_init', 14), f(PCB, 'thread_machine_create', 13), f(PCB, 'machine_kernel_stack_init', 17),
    f('kern/thread.c', 'thread_create_in', 104), f('kern/thread.c', 'stack_alloc', 20), f(ACT, 'thread_hold', 19), f(ACT, 'install_special_handler', 20),
    f(ACT, 'install_special_handler_locked', 24), f(ACT, 'act_set_apc', 24), f(ACT, 'nudge', 9), f(ACT, 'act_attach', 18), f(SCHED, 'thread_timeout_setup', 9),
    f(SCHED, 'compute_priority', 28), f(SCHED, 'set_pri', 15), f(SCHED, 'rem_runq', 17), f('kern/ipc_tt.c', 'ipc_thread_init', 10), f('kern/processor.c', undefined, 17),
  ],
  threadResume: [f(ACT, 'thread_resume', 37), f(ACT, 'act_lock_thread', 6), f(ACT, 'nudge', 18), f(ACT, 'act_unlock_thread', 1), f(SCHED, 'thread_wakeup_prim', 94)],
  threadInfo: [
    f(ACT, 'thread_info', 32), f(ACT, 'act_lock_thread', 6), f(ACT, 'act_unlock_thread', 1), f('kern/thread.c', 'Thread_info', 73), f('kern/timer.c', 'thread_read_times', 61),
    f('kern/timer.c', 'timer_grab', 32),
  ],
  portRequestNotification: [
    f('ipc/mach_port.c', 'mach_port_request_notification', 27), f(RIGHT, 'ipc_right_lookup_write', 19), f(RIGHT, 'ipc_right_check', 18), f(RIGHT, 'ipc_right_dnrequest', 64),
    f('ipc/ipc_entry.c', 'ipc_entry_lookup', 32), f('ipc/ipc_port.c', undefined, 23),
  ],
  portDnrequestGrow: [f('ipc/ipc_port.c', undefined, 74), f('ipc/ipc_table.c', 'ipc_table_alloc', 12), f('kern/kalloc.c', 'kalloc', 15), f('kern/zalloc.c', 'zalloc', 25), f(RIGHT, 'ipc_right_dnrequest', 128)],
  portDeallocate: [
    f('ipc/mach_port.c', 'mach_port_deallocate', 29), f(RIGHT, 'ipc_right_lookup_write', 19), f(RIGHT, 'ipc_right_check', 18), f(RIGHT, 'ipc_right_dealloc', 41),
    f('ipc/ipc_entry.c', 'ipc_entry_lookup', 32), f('ipc/ipc_entry.c', undefined, 40),
  ],
  portDestroy: [
    f('ipc/mach_port.c', 'mach_port_destroy', 29), f(RIGHT, 'ipc_right_lookup_write', 19), f(RIGHT, 'ipc_right_destroy', 63), f('ipc/ipc_entry.c', 'ipc_entry_lookup', 32),
    f('ipc/ipc_entry.c', undefined, 40), f('ipc/ipc_hash.c', undefined, 71),
  ],
  clockAlarmWakeup: [f('kern/clock.c', 'clock_alarm_intr', 67), f('i386/rtclock.c', undefined, 15), f(SCHED, 'thread_wakeup_prim', 36)],
  threadSelfTrap: [f('kern/ipc_tt.c', 'thread_self_trap', 17), f('kern/ipc_tt.c', 'retrieve_act_self_fast', 13), f('ipc/ipc_port.c', undefined, 21)],
  replyPortTrap: [f('ipc/ipc_port.c', undefined)],
  entryLookup: [f('ipc/ipc_entry.c', 'ipc_entry_lookup')],
  rightCopyin: [f(RIGHT, 'ipc_right_copyin', 34), f(RIGHT, 'ipc_right_check', 16)],
  rightCopyinMake: [f(RIGHT, 'ipc_right_copyin')],
  rightCopyout: [
    f(OBJECT, 'ipc_object_copyout', 39), f(RIGHT, 'ipc_right_reverse', 23), f('ipc/ipc_hash.c', 'ipc_hash_lookup', 25),
    f('ipc/ipc_hash.c', 'ipc_hash_local_lookup', 37), f(RIGHT, 'ipc_right_copyout', 27),
  ],
  machMsgTrap: [f(MSG, HOT)],
  machMsgSend: [f(MSG, 'mach_msg_send')],
  machMsgReceive: [f(MSG, 'mach_msg_receive')],
  kmsgGet: [f(KMSG, 'ipc_kmsg_get', 51), f(KMSG, 'ikm_cache_get', 17), f(LOCORE, undefined, 29)],
  kmsgPut: [f(KMSG, 'ipc_kmsg_put', 30), f(KMSG, 'ikm_cache_put', 16), f(LOCORE, undefined, 29)],
  kmsgFree: [f(KMSG, undefined, 7), f('kern/kalloc.c', 'kfree', 35), f('kern/zalloc.c', 'zfree', 29)],
  kmsgGetFromKernel: [f(KMSG, 'ipc_kmsg_get_from_kernel')],
  copyinHeader: [f(KMSG, 'ipc_kmsg_copyin_header')],
  copyinHeaderReply: [f(KMSG, 'ipc_kmsg_copyin_header')],
  copyinBody: [f(KMSG, 'ipc_kmsg_copyin_body')],
  copyinBodyItem: [f(KMSG, 'ipc_kmsg_copyin_body', 48), f(OBJECT, 'ipc_object_copyin', 43)],
  copyoutHeader: [f(KMSG, 'ipc_kmsg_copyout_header')],
  copyoutHeaderReply: [f(KMSG, 'ipc_kmsg_copyout_header')],
  copyoutBody: [f(KMSG, 'ipc_kmsg_copyout_body')],
  copyoutBodyItem: [f(KMSG, 'ipc_kmsg_copyout_body', 14), f(KMSG, 'ipc_kmsg_copyout_object', 23)],
  mqueueSend: [f(MQ, 'ipc_mqueue_send', 35), f(MQ, 'ipc_mqueue_deliver', 23)],
  mqueueWakeReceiver: [f(MQ, 'ipc_mqueue_deliver')],
  kmsgEnqueue: [f(MQ, 'ipc_mqueue_deliver')],
  mqueueCopyin: [f(MQ, 'ipc_mqueue_copyin')],
  mqueueReceive: [f(MQ, 'ipc_mqueue_receive', 47), f(MQ, 'ipc_mqueue_finish_receive', 36)],
  mqueueReceiveWait: [f(MQ, 'ipc_mqueue_receive')],
  fastEntry: [f(MSG, HOT)],
  fastGet: [f(MSG, HOT, 42), f(KMSG, 'ikm_cache_get', 17), f(LOCORE, undefined, 29), f('i386/bcopy.S', undefined, 19)],
  fastCopyinRequest: [f(MSG, HOT)],
  fastCopyinReply: [f(MSG, HOT)],
  fastSendReceive: [f(MSG, HOT)],
  fastReceiveResume: [f(MSG, HOT)],
  fastCopyoutRequest: [f(MSG, HOT)],
  fastCopyoutReply: [f(MSG, HOT)],
  fastPut: [f(MSG, HOT, 27), f(LOCORE, undefined, 29), f(KMSG, 'ikm_cache_put', 16)],
  fastKernelSend: [f(MSG, HOT)],
  fastSlowPath: [f(MSG, HOT)],
  kobjectServer: [f('kern/ipc_kobject.c', 'ipc_kobject_server', 155), f('kern/kalloc.c', 'kalloc', 33), f('kern/zalloc.c', 'zalloc', 22)],
  threadBlock: [
    f(SCHED, 'thread_block_reason', 30), f(SCHED, 'thread_select', 35), f(SCHED, 'choose_pset_thread', 36),
    f(SCHED, 'thread_invoke', 31), f(SCHED, 'thread_dispatch', 19),
  ],
  threadSetrun: [f(SCHED, 'thread_setrun', 30), f(SCHED, 'run_queue_enqueue', 35)],
  remRunq: [f(SCHED, 'set_pri', 21), f(SCHED, 'rem_runq', 36)],
  idleDispatch: [f(SCHED, 'thread_setrun')],
  idleThreadRun: [f(SCHED, 'idle_thread_continue', 18), f(SCHED, 'thread_run', 19), f(SCHED, 'thread_invoke', 31), f(SCHED, 'thread_dispatch', 14)],
  exceptionRaise: [f('kern/exception.c', 'exception', 81), f(LOCORE, undefined, 31), f('./mach/exc_user.c', undefined, 133)],
  fastException: [f('kern/exception.c', 'exception')],
  rpcFromKernel: [
    f('kern/ipc_mig.c', 'mach_msg_rpc_from_kernel', 73), f(KMSG, 'ipc_kmsg_copyin_from_kernel', 63), f(OBJECT, 'ipc_object_copyin_from_kernel', 32),
    f(KMSG, 'ipc_kmsg_copyout_to_kernel', 34), f(OBJECT, 'ipc_object_copyout_dest', 23), f(KMSG, 'ipc_kmsg_put_to_kernel', 29),
  ],
  switchActIn: [f(ACT, 'switch_act')],
  switchActOut: [f(ACT, 'switch_act', 130), f('kern/thread_pool.c', 'thread_pool_put_act', 21)],
};

/**
 * Character offset of a function's definition in its source file (see the header), per file:
 * read from the index's 16,000-character pages of each file, the place of the definition within
 * its page estimated by eye (±1,500 characters, ≈ ±200 B of text; ipc_kmsg_copyin_from_kernel,
 * whose start precedes the page read, ±2,500). Only these files were read; the other functions
 * (zalloc.c, ipc_tt.c, ipc_kobject.c, ipc_mig.c, thread_pool.c, trap.c, syscall_subr.c,
 * mach_clock.c, the VM and device files) are drawn within their file.
 * The hot path of mach_msg_overwrite_trap is one function: its sections' runs follow each other
 * from its start in the order of the rows, as its fast sections precede its slow ones in the source.
 */
export const FUNCTION_OFFSETS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'ipc/ipc_entry.c': { ipc_entry_lookup: 4150 },
  'ipc/ipc_hash.c': { ipc_hash_lookup: 4050, ipc_hash_local_lookup: 11900 },
  [KMSG]: {
    ipc_kmsg_get: 19300, ipc_kmsg_get_from_kernel: 22700, ipc_kmsg_put: 24600, ipc_kmsg_put_to_kernel: 25300,
    ipc_kmsg_copyin_header: 27000, ipc_kmsg_copyin_body: 40500, ipc_kmsg_copyin_from_kernel: 54000,
    ipc_kmsg_copyout_header: 60300, ipc_kmsg_copyout_object: 68600, ipc_kmsg_copyout_body: 70200,
    ikm_cache_get: 88100, ikm_cache_put: 89000, ipc_kmsg_copyout_to_kernel: 90100,
  },
  [OBJECT]: { ipc_object_copyin: 11600, ipc_object_copyin_from_kernel: 13200, ipc_object_copyout: 16100, ipc_object_copyout_dest: 19500 },
  [RIGHT]: { ipc_right_reverse: 4400, ipc_right_check: 10700, ipc_right_copyin: 34800, ipc_right_copyout: 46800 },
  [MQ]: { ipc_mqueue_send: 9300, ipc_mqueue_deliver: 19400, ipc_mqueue_copyin: 22500, ipc_mqueue_receive: 25700, ipc_mqueue_finish_receive: 29100 },
  [MSG]: { mach_msg_send: 7600, mach_msg_receive: 9700, [HOT]: 19300 },
  [SCHED]: {
    __assert_wait: 18580, thread_wakeup_prim: 25780, thread_select: 29100, thread_invoke: 31600, thread_block_reason: 37300, thread_run: 40800, thread_dispatch: 41700,
    run_queue_enqueue: 49800, thread_setrun: 51000, set_pri: 57400, rem_runq: 58100, choose_pset_thread: 61300,
    idle_thread_continue: 65700,
  },
  [ACT]: { thread_setstatus: 24500, thread_getstatus: 25000, switch_act: 30000 },
  'kern/clock.c': { clock_sleep_trap: 9500, clock_sleep: 10700, clock_alarm_intr: 13200, PostAlarm: 18800, CheckTime: 19450 },
  'kern/exception.c': { exception: 6600 },
  'kern/kalloc.c': { kalloc: 6600, kfree: 10350 },
  'kern/thread.c': { thread_create_in: 32365 },
  [PCB]: { act_machine_switch_pcb: 8200, machine_switch_act: 10600, switch_context: 11200, act_machine_set_state: 13600, act_machine_get_state: 21600 },
};
