import { wholeLineBytes } from '../../base/codeLayout';
import { C_BINDING } from '../../l4/guestApi';
import type { L4Parameters } from '../../l4/l4Parameters';
import type { LinuxParameters } from '../core/linuxParameters';
import type { NativeParameters } from '../native/nativeParameters';
import type { L4LinuxParameters } from './l4linuxParameters';
import { EMULATION_LIBRARY, serverGlueAddress } from './layout';

/** A block of L4Linux's own code: where it starts (a user or a server-physical address) and its bytes (whole lines). */
export interface CodeBlock {
  readonly address: number;
  readonly bytes: number;
}

/**
 * L4Linux's own code in memory: the emulation library's three pieces in every process and the
 * server glue in the server image, each sized from the instruction counts of its rows
 * (l4linuxParameters.ts) instead of a footprint of its own. Compiled C occupies the measured
 * `codeLineBytesPerInstruction` of the personality's table (engine/base/codeLayout.ts: the lines a
 * gcc -O2 i386 path touches also hold the arms it skips), hand-written or inline assembly
 * `codeBytesPerInstruction` (every fetched byte executed). Pieces are whole lines, laid end to
 * end as KernelCode lays out the personality's paths.
 */
export interface L4LinuxCode {
  /**
   * The library's system-call stub (SOSP'97 §4: the modified libc.so's routine that calls the
   * server): its C entry, the PIC `l4_ipc_call` inline assembly, its C exit, in that order.
   * `enterBytes` are fetched on entry up to the trap, the rest after the reply.
   */
  readonly stub: CodeBlock & { readonly enterBytes: number };
  /** The trampoline: the user-level exception handler that turns a reflected `int $0x80` into a call of the stub. */
  readonly trampoline: CodeBlock;
  /** The signal thread's loop: receive the server's message, `lthread_ex_regs` the main thread. */
  readonly signalThread: CodeBlock;
  /** The server glue with the entry.S code it kept (server-physical address): see {@link serverGlueAddress}. */
  readonly dispatch: CodeBlock;
}

/**
 * The loads of the IPC registers gcc emits for a C binding's operands (EAX, ECX, EDX, EBX, EBP,
 * ESI, EDI): compiled C of the code the binding is inlined in, charged by engine/l4 as
 * `ipcStubCycles` (7 MOVs, paired), not by the rows of that code.
 */
export const IPC_REGISTER_LOADS = 7;

/**
 * Instructions of a classic L4ENV C binding around `int $0x30` (ipc-l42-gcc273-pic.h and
 * -nopic.h) besides its register loads ({@link IPC_REGISTER_LOADS}): the trap; the EBP save and
 * restore, the PIC word block and EBX save, the address block of reply_and_wait, and one store
 * per result, as engine/l4's `ipcBinding*` rows count them for the cycles.
 */
export function bindingInstructions(p: L4Parameters, binding: keyof typeof C_BINDING, pic: boolean): { before: number; after: number } {
  const { outputs, indirect } = C_BINDING[binding];
  return {
    before: 1 + p.ipcBindingSaveInstructions + (indirect ? p.ipcBindingIndirectBefore : 0) + (pic ? p.ipcBindingPicBefore : 0),
    after: p.ipcBindingSaveInstructions + (indirect ? p.ipcBindingIndirectAfter : 0) + (pic ? p.ipcBindingPicAfter : 0) + outputs * p.ipcBindingStoreInstructions,
  };
}

/**
 * The architecture code the server kept from native Linux's entry.S per request (SOSP'97 §4:
 * changes are confined to the arch part): the register moves of SAVE_ALL/RESTORE_ALL into and out
 * of the task's pt_regs, the system_call dispatch and the ret_from_sys_call checks, but no
 * segment-register loads, debug registers or sti, which a user-level server does not execute
 * (counts of the 2.0 entry.S, nativeParameters.ts).
 */
function keptEntryInstructions(e: NativeParameters): { simple: number; memoryOps: number } {
  return {
    simple: e.saveAllSimple + e.systemCallSimple + e.retFromSysCallSimple + e.restoreAllSimple,
    memoryOps: e.systemCallMemoryOps + e.retFromSysCallMemoryOps + e.restoreAllMemoryOps,
  };
}

/** Instruction cycles of one request in the server (its dispatch path): its own glue plus the entry.S code it kept. */
export function dispatchCycles(n: L4LinuxParameters, native: NativeParameters, instruction: number, aluRegMem: number): number {
  const entry = keptEntryInstructions(native);
  return (n.serverGlueSimple + entry.simple) * instruction + (n.serverGlueMemoryOps + entry.memoryOps) * aluRegMem;
}

/**
 * Places and sizes L4Linux's own code (see {@link L4LinuxCode}). `linux` gives the code densities
 * (the personality's `codeLineBytesPerInstruction`, `codeBytesPerInstruction`), `l4` the binding
 * instruction counts, `lineBytes` the cache line. Throws if the emulation library outgrows the
 * one page the server maps into every process.
 *
 * - The library's pieces are functions of one small object, the page the server maps at
 *   {@link EMULATION_LIBRARY}.code (SOSP'97 §4: "the emulation library and the signal-thread code"
 *   in an unused high region): stub, trampoline and signal-thread code one after another at their
 *   own sizes. The page starts on L1 set 0 (a mapping is page aligned); the order of the three is
 *   not sourced.
 * - The stub is compiled C around the PIC call binding: the library's enter and leave rows at the
 *   C density, the binding (inline assembly) at the assembly density. The trampoline and the
 *   signal thread are counted as C (an estimate: their sources were not found; the trampoline's
 *   register save and restore would be assembly, which makes its footprint an upper bound).
 * - The server glue (receive loop, sender → task, coroutine switch: C with inline assembly, at the C
 *   density) with its non-PIC `l4_ipc_reply_and_wait` binding and the entry.S code it kept (hand
 *   assembly) sits at {@link serverGlueAddress}, in entry.S's place in the link of the booted build.
 */
export function l4linuxCode(n: L4LinuxParameters, native: NativeParameters, linux: LinuxParameters, l4: L4Parameters, lineBytes: number): L4LinuxCode {
  const c = linux.codeLineBytesPerInstruction;
  const asm = linux.codeBytesPerInstruction;
  const call = bindingInstructions(l4, 'call', true);
  const enterBytes = Math.ceil((n.emulEnterSimple + n.emulEnterMemoryOps + IPC_REGISTER_LOADS) * c + call.before * asm);
  const stubBytes = wholeLineBytes(enterBytes + call.after * asm + (n.emulLeaveSimple + n.emulLeaveMemoryOps) * c, lineBytes);
  const stub = { address: EMULATION_LIBRARY.code, bytes: stubBytes, enterBytes };
  const trampoline = { address: stub.address + stub.bytes, bytes: wholeLineBytes((n.trampolineSimple + n.trampolineMemoryOps) * c, lineBytes) };
  const signalThread = { address: trampoline.address + trampoline.bytes, bytes: wholeLineBytes(n.signalThreadSimple * c, lineBytes) };
  const used = signalThread.address + signalThread.bytes - EMULATION_LIBRARY.code;
  if (used > EMULATION_LIBRARY.bytes) throw new RangeError(`the emulation library's code (${used} B at these code densities) does not fit the ${EMULATION_LIBRARY.bytes}-B page the server maps into every process`);
  const entry = keptEntryInstructions(native);
  const reply = bindingInstructions(l4, 'replyAndWait', false);
  const dispatch = { address: serverGlueAddress(linux), bytes: wholeLineBytes((n.serverGlueSimple + n.serverGlueMemoryOps + n.serverStateExtractSimple + n.serverStateWriteSimple + IPC_REGISTER_LOADS) * c + (entry.simple + entry.memoryOps + reply.before + reply.after) * asm, lineBytes) };
  return { stub, trampoline, signalThread, dispatch };
}
