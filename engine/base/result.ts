/** Expected failures are values, not exceptions (STYLE.md §6). */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/**
 * IA-32 page-fault error code bits (Intel SDM Vol. 3 §4.7; the P5 defines bits 0-2 only).
 * P: 0 = the page was not present, 1 = a protection violation. W: the access was a write.
 * U: the access came from user mode (CPL 3).
 */
export const PAGE_FAULT_PRESENT = 1 << 0;
export const PAGE_FAULT_WRITE = 1 << 1;
export const PAGE_FAULT_USER = 1 << 2;

/** Exception vectors of the IA-32 architecture used by the model (Intel SDM Vol. 3 §6.15). */
export const VECTOR = {
  divideError: 0,
  debug: 1,
  breakpoint: 3,
  invalidOpcode: 6,
  generalProtection: 13,
  pageFault: 14,
} as const;

/** A fault raised by the machine: what the hardware would push for the kernel's handler. */
export interface MachineFault {
  /** The exception vector (14 for a page fault, 13 for a general protection fault). */
  vector: number;
  /** The faulting linear address (CR2) for page faults; the offending offset for segment faults. */
  address: number;
  /** The error code pushed by the CPU (page-fault bits above; 0 for a segment-limit #GP). */
  errorCode: number;
  /** What the guest was doing, for reports ("read", "write", "fetch"). */
  access: 'read' | 'write' | 'fetch';
}

/** An error inside the engine that a user caused: reported with a message, never a crash. */
export class GuestError extends Error {
  constructor(message: string, readonly guestStack?: string) {
    super(message);
    this.name = 'GuestError';
  }
}

/**
 * The cycles a guest asked to compute, checked: a number of cycles is 0 or more (Infinity spins
 * for ever, as a loop would). NaN or a negative count would otherwise be no computation at all.
 * @throws GuestError otherwise.
 */
export function guestCycles(cycles: number): number {
  if (typeof cycles !== 'number' || !(cycles >= 0)) throw new GuestError(`compute(${String(cycles)}): the number of cycles must be 0 or more`);
  return cycles;
}
