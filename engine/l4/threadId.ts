import { BitLayout } from '../base/bitField';

/**
 * L4/x86 version 2 thread ids: 64 bits, passed as two dwords (ESI = low, EDI = high).
 * Layout from L4ENV@f68bf96 `L4API-l4v2/types.h` (pentium-parameters.md §2).
 */
export const THREAD_ID_LOW = new BitLayout('threadId.low', {
  versionLow: { shift: 0, width: 10 },
  lthread: { shift: 10, width: 7 },
  task: { shift: 17, width: 11 },
  versionHigh: { shift: 28, width: 4 },
});

/** High dword of a thread id: site, chief task, nesting level. */
export const THREAD_ID_HIGH = new BitLayout('threadId.high', {
  site: { shift: 0, width: 17 },
  chief: { shift: 17, width: 11 },
  nest: { shift: 28, width: 4 },
});

/** A thread id as its two dwords. */
export interface ThreadId {
  readonly low: number;
  readonly high: number;
}

/** The nil id (L4_NIL_ID): no thread. */
export const NIL_ID: ThreadId = { low: 0, high: 0 };
/** The invalid id (L4_INVALID_ID). */
export const INVALID_ID: ThreadId = { low: 0xffffffff, high: 0xffffffff };

/** Number of tasks and of lthreads per task the id layout allows. */
export const MAX_TASKS = 1 << 11;
/** Threads per task. */
export const MAX_LTHREADS = 1 << 7;

/** Builds a thread id. `version` is 14 bits (split into low and high parts), `chief` a task number. */
export function threadId(task: number, lthread: number, version = 1, chief = 0, nest = 0): ThreadId {
  return {
    low: THREAD_ID_LOW.encode({ versionLow: version & 0x3ff, lthread, task, versionHigh: (version >>> 10) & 0xf }),
    high: THREAD_ID_HIGH.encode({ chief, nest }),
  };
}

/** Task number of a low id dword. */
export function taskOf(low: number): number {
  return (low >>> 17) & 0x7ff;
}

/** Lthread number of a low id dword. */
export function lthreadOf(low: number): number {
  return (low >>> 10) & 0x7f;
}

/** The 14-bit version of an id. */
export function versionOf(low: number): number {
  return (low & 0x3ff) | (((low >>> 28) & 0xf) << 10);
}

/** Chief task number of a high id dword. */
export function chiefOf(high: number): number {
  return (high >>> 17) & 0x7ff;
}

/** Whether (low, high) is the nil id. */
export function isNilId(low: number, high: number): boolean {
  return low === 0 && high === 0;
}

/** Whether (low, high) is the invalid id. */
export function isInvalidId(low: number, high: number): boolean {
  return low === 0xffffffff && high === 0xffffffff;
}

/**
 * Interrupt pseudo-threads: the kernel delivers IRQ n as a message from the id {low: n + 1,
 * high: 0} (L4/x86 v2 convention: an id with task 0 whose low bits are the IRQ number plus one).
 */
export function interruptId(irq: number): ThreadId {
  return { low: irq + 1, high: 0 };
}

/** The IRQ of an interrupt pseudo-thread id, or -1. */
export function irqOfId(low: number, high: number): number {
  return high === 0 && low >= 1 && low <= 16 ? low - 1 : -1;
}

/** Whether two ids are equal. */
export function sameId(a: ThreadId, b: ThreadId): boolean {
  return a.low === b.low && a.high === b.high;
}

/** `task.lthread` in hex, `irqN`, `nil` or `invalid`. */
export function formatId(low: number, high = 0): string {
  const irq = irqOfId(low, high);
  if (irq >= 0) return `irq${irq}`;
  if (isNilId(low, high)) return 'nil';
  if (isInvalidId(low, high)) return 'invalid';
  return `${taskOf(low).toString(16)}.${lthreadOf(low).toString(16)}`;
}
