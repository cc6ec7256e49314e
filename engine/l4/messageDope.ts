import { BitLayout } from '../base/bitField';

/**
 * The message dope: result word of an IPC (EAX) and the size/send dopes of a message buffer.
 * L4ENV@f68bf96 `types.h` and `ipc.h` (L4_IPC_STRING_SHIFT 8, L4_IPC_DWORD_SHIFT 13).
 */
export const MESSAGE_DOPE = new BitLayout('msgdope', {
  deceited: { shift: 0, width: 1 },
  fpageReceived: { shift: 1, width: 1 },
  redirected: { shift: 2, width: 1 },
  sourceInside: { shift: 3, width: 1 },
  sendError: { shift: 4, width: 1 },
  errorCode: { shift: 5, width: 3 },
  strings: { shift: 8, width: 5 },
  dwords: { shift: 13, width: 19 },
});

/** Result dope flags: deceited, fpage received, redirected, source inside the clan. */
export const DOPE_DECEITED = 0x1;
export const DOPE_FPAGE_RECEIVED = 0x2;
export const DOPE_REDIRECTED = 0x4;
export const DOPE_SOURCE_INSIDE = 0x8;

/** Send descriptor (EAX) bit 0: a deceiting send (L4ENV `L4_IPC_DECEIT`; the virtual sender id is on the user stack). */
export const SEND_DECEIT = 0x1;

/**
 * IPC error results (the error bits 4-7 of the dope; L4ENV `ipc.h`). Send-phase errors have
 * bit 4 set. Code 0 with bit 4 is "destination does not exist".
 */
export const IPC_ERROR = {
  none: 0x00,
  notExistent: 0x10,
  receiveTimeout: 0x20,
  sendTimeout: 0x30,
  receiveCancelled: 0x40,
  sendCancelled: 0x50,
  receiveMapFailed: 0x60,
  sendMapFailed: 0x70,
  receiveSendPageFaultTimeout: 0x80,
  sendReceivePageFaultTimeout: 0x90,
  receiveAborted: 0xa0,
  sendAborted: 0xb0,
  receiveMessageCut: 0xc0,
  sendMessageCut: 0xd0,
} as const;

/** The error bits of a result dope. */
export const IPC_ERROR_MASK = 0xf0;

/** The error part of a result dope (0 = success). */
export function ipcError(dope: number): number {
  return dope & IPC_ERROR_MASK;
}

/** Dwords counted by a dope. */
export function dopeDwords(dope: number): number {
  return dope >>> 13;
}

/** Strings counted by a dope. */
export function dopeStrings(dope: number): number {
  return (dope >>> 8) & 0x1f;
}

/** A size or send dope for a message buffer with `dwords` dwords and `strings` strings. */
export function messageDope(dwords: number, strings = 0): number {
  return MESSAGE_DOPE.encode({ dwords, strings });
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(IPC_ERROR).map(([name, code]) => [code, name]));

/** Name of the error in a dope ("none", "sendTimeout"...). */
export function ipcErrorName(dope: number): string {
  return NAMES[ipcError(dope)] ?? `error 0x${ipcError(dope).toString(16)}`;
}

/**
 * Message buffer layout in user memory (L4ENV `L4BEMsgBufferType.cpp`): byte offsets of the
 * receive fpage, the size dope, the send dope and the first dword. Dwords 0 and 1 travel in
 * EDX/EBX; the buffer's dword array holds all dwords, string dopes (16 bytes each: send size,
 * send address, receive size, receive address) follow the dword array of the size dope.
 */
export const MESSAGE_BUFFER = {
  receiveFpage: 0,
  sizeDope: 4,
  sendDope: 8,
  dwords: 12,
  stringDopeBytes: 16,
} as const;

/** Byte offset of string dope `index` in a buffer whose size dope declares `dwords` dwords. */
export function stringDopeOffset(dwords: number, index: number): number {
  return MESSAGE_BUFFER.dwords + 4 * dwords + MESSAGE_BUFFER.stringDopeBytes * index;
}
