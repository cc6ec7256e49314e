/**
 * Mach 3 interface constants as data (STYLE.md §7): return codes, message header and type
 * descriptor layouts, mach_msg options, trap numbers and MIG message ids. Values are those of the
 * CMU Mach 3.0 / OSF MK headers (`mach/kern_return.h`, `mach/message.h`, `mach/port.h`,
 * `mach/exception.h`, `kern/syscall_sw.c`); where this model assigns a value itself it says so.
 */
import { BitLayout } from '../base/bitField';

/** kern_return_t (mach/kern_return.h). */
export const KERN = {
  SUCCESS: 0,
  INVALID_ADDRESS: 1,
  PROTECTION_FAILURE: 2,
  NO_SPACE: 3,
  INVALID_ARGUMENT: 4,
  FAILURE: 5,
  RESOURCE_SHORTAGE: 6,
  NOT_RECEIVER: 7,
  NO_ACCESS: 8,
  MEMORY_FAILURE: 9,
  MEMORY_ERROR: 10,
  NAME_EXISTS: 13,
  ABORTED: 14,
  INVALID_NAME: 15,
  INVALID_TASK: 16,
  INVALID_RIGHT: 17,
  INVALID_VALUE: 18,
  UREFS_OVERFLOW: 19,
  INVALID_CAPABILITY: 20,
  RIGHT_EXISTS: 21,
  /** thread_set_policy with a policy the kernel does not implement (OSF MK mach/kern_return.h). */
  INVALID_POLICY: 28,
  /** thread_depress_abort of a thread whose priority is not depressed (OSF MK mach/kern_return.h). */
  NOT_DEPRESSED: 36,
} as const;

/** MIG errors (mach/mig_errors.h). */
export const MIG = {
  TYPE_ERROR: -300,
  REPLY_MISMATCH: -301,
  REMOTE_ERROR: -302,
  BAD_ID: -303,
  BAD_ARGUMENTS: -304,
  NO_REPLY: -305,
} as const;

/** mach_msg_return_t (mach/message.h). */
export const MACH_MSG = {
  SUCCESS: 0,
  SEND_INVALID_DATA: 0x10000002,
  SEND_INVALID_DEST: 0x10000003,
  SEND_TIMED_OUT: 0x10000004,
  SEND_INTERRUPTED: 0x10000007,
  SEND_MSG_TOO_SMALL: 0x10000008,
  SEND_INVALID_REPLY: 0x10000009,
  SEND_INVALID_RIGHT: 0x1000000a,
  SEND_INVALID_MEMORY: 0x1000000c,
  SEND_NO_BUFFER: 0x1000000d,
  SEND_INVALID_TYPE: 0x1000000f,
  SEND_INVALID_HEADER: 0x10000010,
  RCV_INVALID_NAME: 0x10004002,
  RCV_TIMED_OUT: 0x10004003,
  RCV_TOO_LARGE: 0x10004004,
  RCV_INTERRUPTED: 0x10004005,
  RCV_INVALID_DATA: 0x10004008,
  RCV_PORT_DIED: 0x10004009,
  RCV_IN_SET: 0x1000400a,
  RCV_HEADER_ERROR: 0x1000400b,
  RCV_BODY_ERROR: 0x1000400c,
} as const;

/** mach_msg options (Mach 3.0 mach/message.h). */
export const MACH_SEND_MSG = 0x1;
export const MACH_RCV_MSG = 0x2;
export const MACH_RCV_LARGE = 0x4;
export const MACH_SEND_TIMEOUT = 0x10;
export const MACH_RCV_TIMEOUT = 0x100;
/** mach_msg_timeout_t value meaning "wait forever" when no TIMEOUT option is given. */
export const MACH_MSG_TIMEOUT_NONE = 0;

/** Port names (mach/port.h). A name is (index << 8) | generation in Mach 3. */
export const MACH_PORT_NULL = 0;
export const MACH_PORT_DEAD = 0xffffffff;
export const PORT_NAME_GENERATION_BITS = 8;

/** mach_port_right_t. */
export const MACH_PORT_RIGHT = { SEND: 0, RECEIVE: 1, SEND_ONCE: 2, PORT_SET: 3, DEAD_NAME: 4 } as const;

/** mach_port_type_t bits: 1 << (right + 16). */
export const MACH_PORT_TYPE_SEND = 1 << 16;
export const MACH_PORT_TYPE_RECEIVE = 1 << 17;
export const MACH_PORT_TYPE_SEND_ONCE = 1 << 18;
export const MACH_PORT_TYPE_PORT_SET = 1 << 19;
export const MACH_PORT_TYPE_DEAD_NAME = 1 << 20;
export const MACH_PORT_TYPE_ALL_RIGHTS = MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_PORT_SET | MACH_PORT_TYPE_DEAD_NAME;

/** mach_msg_type_name_t values (Mach 3.0 mach/message.h). */
export const MSG_TYPE = {
  BOOLEAN: 0,
  INTEGER_16: 1,
  INTEGER_32: 2,
  CHAR: 8,
  BYTE: 9,
  INTEGER_64: 11,
  PORT_NAME: 15,
  MOVE_RECEIVE: 16,
  MOVE_SEND: 17,
  MOVE_SEND_ONCE: 18,
  COPY_SEND: 19,
  MAKE_SEND: 20,
  MAKE_SEND_ONCE: 21,
} as const;
/** What a receiver finds after copyout: PORT_RECEIVE = 16, PORT_SEND = 17, PORT_SEND_ONCE = 18. */
export const MSG_TYPE_PORT_RECEIVE = MSG_TYPE.MOVE_RECEIVE;
export const MSG_TYPE_PORT_SEND = MSG_TYPE.MOVE_SEND;
export const MSG_TYPE_PORT_SEND_ONCE = MSG_TYPE.MOVE_SEND_ONCE;

export function isPortType(name: number): boolean {
  return name >= MSG_TYPE.MOVE_RECEIVE && name <= MSG_TYPE.MAKE_SEND_ONCE;
}

/**
 * mach_msg_header_t of Mach 3.0: bits, size, remote port, local port, seqno, id (24 bytes).
 * msgh_bits: remote disposition in bits 0-7, local disposition in bits 8-15, COMPLEX in bit 31.
 */
export const MSG_HEADER_BYTES = 24;
export const HDR_BITS = 0;
export const HDR_SIZE = 4;
export const HDR_REMOTE = 8;
export const HDR_LOCAL = 12;
export const HDR_SEQNO = 16;
export const HDR_ID = 20;
export const MACH_MSGH_BITS_COMPLEX = 0x80000000;

export function msghBits(remote: number, local: number): number {
  return (remote | (local << 8)) >>> 0;
}

/** mach_msg_type_t: the 4-byte descriptor before each typed item of a Mach 3.0 message body. */
export const MSG_TYPE_DESCRIPTOR = new BitLayout('mach_msg_type_t', {
  name: { shift: 0, width: 8 },
  size: { shift: 8, width: 8 },
  number: { shift: 16, width: 12 },
  inline: { shift: 28, width: 1 },
  longform: { shift: 29, width: 1 },
  deallocate: { shift: 30, width: 1 },
  unused: { shift: 31, width: 1 },
});

/** Encodes a short-form type descriptor. */
export function typeDescriptor(name: number, sizeBits: number, number: number, inline = true, deallocate = false): number {
  return ((name & 0xff) | ((sizeBits & 0xff) << 8) | ((number & 0xfff) << 16) | (inline ? 1 << 28 : 0) | (deallocate ? 1 << 30 : 0)) >>> 0;
}

/** Mach trap numbers (negative EAX values; CMU Mach 3.0 kern/syscall_sw.c). */
export const MACH_TRAP = {
  msg: -25,
  replyPort: -26,
  threadSelf: -27,
  taskSelf: -28,
  hostSelf: -29,
  swtchPri: -59,
  swtch: -60,
  threadSwitch: -61,
  /** OSF MK kern/syscall_sw.c: clock_sleep_trap(clock_name, sleep_type, sleep_sec, sleep_nsec, wakeup_time). */
  clockSleep: -62,
  /** OSF MK kern/syscall_sw.c: syscall_thread_depress_abort (the trap form libmach's cthreads use). */
  threadDepressAbort: -76,
} as const;

/** clock_sleep's sleep types (OSF MK mach/clock_types.h); any other bit is KERN_INVALID_VALUE. */
export const TIME_ABSOLUTE = 0;
export const TIME_RELATIVE = 1;

/** Scheduling policies (OSF MK mach/policy.h): POLICY_TIMESHARE, POLICY_RR, POLICY_FIFO. */
export const POLICY = { TIMESHARE: 1, RR: 2, FIFO: 4 } as const;

/** task_info and thread_info flavors (mach/task_info.h, mach/thread_info.h) and their counts in words. */
export const TASK_BASIC_INFO = 1;
export const TASK_BASIC_INFO_COUNT = 8;
export const THREAD_BASIC_INFO = 1;
export const THREAD_BASIC_INFO_COUNT = 10;

/** thread_switch options (OSF MK mach/thread_switch.h). */
export const SWITCH_OPTION = { NONE: 0, DEPRESS: 1, WAIT: 2, IDLE: 3 } as const;

/** Exception types (mach/exception.h). */
/** Exception types (OSF MK mach/exception_types.h; SYSCALL: a Unix system call trap of a task without an emulation vector). */
export const EXC = { BAD_ACCESS: 1, BAD_INSTRUCTION: 2, ARITHMETIC: 3, EMULATION: 4, SOFTWARE: 5, BREAKPOINT: 6, SYSCALL: 7 } as const;
/** i386/seg.h: the user code and data selectors, in the LDT (TI = 1, RPL 3). */
export const USER_CS = 0x17;
export const USER_DS = 0x1f;
/**
 * i386_SAVED_STATE (= MACHINE_THREAD_STATE on OSF MK i386, mach/i386/thread_status.h), the flavor
 * of the state in exception_raise_state: the flavor MkLinux registers for its processes' system
 * calls (osfmach3_i386/server/trap.c mach_trap_init: osfmach3_trap_init(EXCEPTION_STATE, i386_SAVED_STATE)).
 */
export const I386_SAVED_STATE = 8;

/**
 * MIG message ids. Subsystem bases are Mach 3's (mach 2000, memory_object 2200, exc 2400,
 * mach_port 3200, device 2800); offsets within a subsystem are assigned by this model in .defs
 * order where the order was not checked. A reply's id is the request's + 100.
 */
export const MSG_ID = {
  taskCreate: 2007,
  taskTerminate: 2008,
  /** task_info and thread_info (mach.defs; numbering an estimate, in gaps of this model's ids). */
  taskInfo: 2010,
  threadInfo: 2016,
  threadCreate: 2011,
  threadSuspend: 2012,
  threadResume: 2013,
  threadTerminate: 2014,
  threadAbort: 2015,
  taskSetExceptionPort: 2017,
  /** thread_set_state (mach.defs; numbering an estimate: this model's 2017 is task_set_exception_port). */
  threadSetState: 2020,
  threadSetExceptionPort: 2018,
  /** thread_get_state (mach.defs, just before thread_set_state; numbering an estimate). */
  threadGetState: 2019,
  vmAllocate: 2021,
  vmDeallocate: 2022,
  vmProtect: 2023,
  vmInherit: 2024,
  vmRead: 2025,
  vmWrite: 2027,
  vmMap: 2089,
  /** OSF MK's vm_remap (mach.defs, after vm_map; numbering an estimate). */
  vmRemap: 2090,
  memoryObjectDataProvided: 2093,
  memoryObjectDataError: 2094,
  /** memory_object_lock_request (mach.defs, just before data_provided: an estimate of the numbering). */
  memoryObjectLockRequest: 2092,
  /** OSF MK's memory_object_data_supply (numbering an estimate). */
  memoryObjectDataSupply: 2095,
  memoryObjectInit: 2200,
  memoryObjectDataRequest: 2203,
  /** memory_object_data_unlock (memory_object.defs order: init, terminate, copy, data_request, data_unlock). */
  memoryObjectDataUnlock: 2204,
  /** Interrupt notification to a server's interrupt port (this model's numbering). */
  interruptNotify: 2900,
  exceptionRaise: 2400,
  exceptionRaiseState: 2401,
  deviceOpen: 2800,
  deviceRead: 2809,
  deviceWrite: 2807,
  deviceReadInband: 2811,
  machPortAllocate: 3204,
  machPortDestroy: 3205,
  machPortDeallocate: 3206,
  machPortMoveMember: 3210,
  machPortRequestNotification: 3213,
  machPortInsertRight: 3214,
  machPortExtractRight: 3215,
  /** OSF MK's thread_set_policy (mach/thread_act.defs, subsystem 3600; its position in the subsystem an estimate). */
  threadSetPolicy: 3616,
} as const;

export const MIG_REPLY_OFFSET = 100;

/** Notification message ids (mach/notify.h: MACH_NOTIFY_FIRST = 0100). */
export const MACH_NOTIFY = { PORT_DELETED: 0o101, PORT_DESTROYED: 0o105, NO_SENDERS: 0o106, SEND_ONCE: 0o107, DEAD_NAME: 0o110 } as const;

/** vm_prot_t. */
export const VM_PROT = { NONE: 0, READ: 1, WRITE: 2, EXECUTE: 4, DEFAULT: 3, ALL: 7 } as const;
/** vm_inherit_t. */
export const VM_INHERIT = { SHARE: 0, COPY: 1, NONE: 2 } as const;

/**
 * Where every task maps the user-level Mach library's text (libmach: the mach_msg trap stub and
 * the MIG stubs), shared read-only, so that the instruction fetches of user-side IPC code go
 * through the I-TLB and I-cache like the kernel's. Address and size are this model's choice.
 */
export const LIBMACH_BASE = 0x7f000000;
export const LIBMACH_BYTES = 16 * 1024;
