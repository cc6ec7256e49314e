import {
  HDR_BITS,
  HDR_ID,
  HDR_LOCAL,
  HDR_REMOTE,
  HDR_SIZE,
  isPortType,
  KERN,
  MACH_MSGH_BITS_COMPLEX,
  MACH_RCV_MSG,
  MACH_SEND_MSG,
  MIG,
  MIG_REPLY_OFFSET,
  MSG_HEADER_BYTES,
  MSG_TYPE,
  msghBits,
  typeDescriptor,
} from './machConstants';

/**
 * MIG-style RPC stubs (Mach 3.0 MIG): a routine is declared once as data (its id and the types
 * of its request and reply arguments) and the same declaration drives the client stub, which
 * marshals typed items after the header, calls mach_msg(SEND|RCV) on a reply port and
 * unmarshals the reply, and the server demultiplexer, which does the inverse.
 *
 * Argument kinds: 'int' (INTEGER_32), a port disposition ('copySend', 'makeSend',
 * 'makeSendOnce', 'moveSend', 'moveSendOnce', 'moveReceive'; the receiver sees the name of the
 * right it got), 'ool' (out-of-line bytes: two values, address and size) and 'threadState'
 * (an inline thread_state_t of i386_SAVED_STATE: one descriptor, THREAD_STATE_WORDS values).
 */
export type MigArgument = 'int' | 'copySend' | 'makeSend' | 'makeSendOnce' | 'moveSend' | 'moveSendOnce' | 'moveReceive' | 'ool' | 'threadState';

/**
 * i386_SAVED_STATE_COUNT (OSF MK mach/i386/thread_status.h struct i386_saved_state): gs, fs, es,
 * ds, edi, esi, ebp, esp (the kernel's), ebx, edx, ecx, eax, trapno, err, eip, cs, efl, uesp, ss,
 * four v86 segments, argv_status and i386_SAVED_ARGV_COUNT = 7 words copied from the user stack.
 */
export const THREAD_STATE_WORDS = 31;

export interface MigRoutine {
  readonly name: string;
  readonly id: number;
  readonly request: readonly MigArgument[];
  /** Out arguments after RetCode (any kind: an int, a port disposition the server sends, 'ool', 'threadState'). */
  readonly reply: readonly MigArgument[];
  /** A simpleroutine: no reply expected. */
  readonly oneWay?: boolean;
}

/** Declares a routine (identity, for type checking and readability). */
export function defineRoutine(routine: MigRoutine): MigRoutine {
  return routine;
}

const DISPOSITION: Record<Exclude<MigArgument, 'int' | 'ool' | 'threadState'>, number> = {
  copySend: MSG_TYPE.COPY_SEND,
  makeSend: MSG_TYPE.MAKE_SEND,
  makeSendOnce: MSG_TYPE.MAKE_SEND_ONCE,
  moveSend: MSG_TYPE.MOVE_SEND,
  moveSendOnce: MSG_TYPE.MOVE_SEND_ONCE,
  moveReceive: MSG_TYPE.MOVE_RECEIVE,
};

/** Values consumed by one argument (ool takes address and size). */
export function valuesOf(argument: MigArgument): number {
  if (argument === 'threadState') return THREAD_STATE_WORDS;
  return argument === 'ool' ? 2 : 1;
}

/** Values consumed by all of `args` (as {@link unmarshal} fills them in). */
export function valueCount(args: readonly MigArgument[]): number {
  let count = 0;
  for (const argument of args) count += valuesOf(argument);
  return count;
}

/** Bytes of the marshalled arguments. */
export function argumentBytes(args: readonly MigArgument[]): number {
  let bytes = 0;
  for (const argument of args) bytes += argument === 'ool' ? 16 : argument === 'threadState' ? 4 + 4 * THREAD_STATE_WORDS : 8;
  return bytes;
}

/**
 * Writes a message into `view` at 0: header with the given ports and dispositions, then typed
 * items for `args` taking their values from `values`. Returns the message size.
 */
export function marshal(
  view: DataView,
  id: number,
  remote: number,
  remoteDisposition: number,
  local: number,
  localDisposition: number,
  args: readonly MigArgument[],
  values: ArrayLike<number>,
  valueStart = 0,
): number {
  let offset = MSG_HEADER_BYTES;
  let complex = false;
  let v = valueStart;
  for (const argument of args) {
    if (argument === 'int') {
      view.setUint32(offset, typeDescriptor(MSG_TYPE.INTEGER_32, 32, 1), true);
      view.setUint32(offset + 4, values[v++] >>> 0, true);
      offset += 8;
    } else if (argument === 'threadState') {
      view.setUint32(offset, typeDescriptor(MSG_TYPE.INTEGER_32, 32, THREAD_STATE_WORDS), true);
      for (let i = 0; i < THREAD_STATE_WORDS; i++) view.setUint32(offset + 4 + 4 * i, values[v++] >>> 0, true);
      offset += 4 + 4 * THREAD_STATE_WORDS;
    } else if (argument === 'ool') {
      complex = true;
      // long form: the size of an out-of-line region exceeds the 12-bit short-form count
      view.setUint32(offset, ((1 << 29) | (0 << 28)) >>> 0, true);
      view.setUint32(offset + 4, (MSG_TYPE.BYTE | (8 << 16)) >>> 0, true);
      const address = values[v++] >>> 0;
      view.setUint32(offset + 8, values[v++] >>> 0, true);
      view.setUint32(offset + 12, address, true);
      offset += 16;
    } else {
      complex = true;
      view.setUint32(offset, typeDescriptor(DISPOSITION[argument], 32, 1), true);
      view.setUint32(offset + 4, values[v++] >>> 0, true);
      offset += 8;
    }
  }
  view.setUint32(HDR_BITS, (msghBits(remoteDisposition, localDisposition) | (complex ? MACH_MSGH_BITS_COMPLEX : 0)) >>> 0, true);
  view.setUint32(HDR_SIZE, offset, true);
  view.setUint32(HDR_REMOTE, remote >>> 0, true);
  view.setUint32(HDR_LOCAL, local >>> 0, true);
  view.setUint32(HDR_ID, id | 0, true);
  return offset;
}

/**
 * Reads the typed items of a received message in `view` into `out` (ints and port names as one
 * value; out-of-line regions as address and size). Returns the number of values, or a MIG error
 * (negative) when the items do not match `args`.
 */
export function unmarshal(view: DataView, size: number, args: readonly MigArgument[], out: Int32Array | number[], outStart = 0): number {
  let offset = MSG_HEADER_BYTES;
  let o = outStart;
  for (const argument of args) {
    if (offset + 8 > size) return MIG.TYPE_ERROR;
    const word = view.getUint32(offset, true);
    const longForm = (word & (1 << 29)) !== 0;
    const inline = (word & (1 << 28)) !== 0;
    const name = longForm ? view.getUint32(offset + 4, true) & 0xffff : word & 0xff;
    const sizeBits = longForm ? view.getUint32(offset + 4, true) >>> 16 : (word >>> 8) & 0xff;
    const number = longForm ? view.getUint32(offset + 8, true) : (word >>> 16) & 0xfff;
    const data = offset + (longForm ? 12 : 4);
    if (argument === 'ool') {
      if (inline) return MIG.TYPE_ERROR;
      out[o++] = view.getUint32(data, true) | 0;
      out[o++] = Math.ceil((number * sizeBits) / 8);
      offset = data + 4;
    } else if (argument === 'threadState') {
      if (name !== MSG_TYPE.INTEGER_32 || !inline || sizeBits !== 32 || number !== THREAD_STATE_WORDS || data + 4 * number > size) return MIG.TYPE_ERROR;
      for (let i = 0; i < number; i++) out[o++] = view.getUint32(data + 4 * i, true) | 0;
      offset = data + 4 * number;
    } else if (argument === 'int') {
      // a port name passed uninterpreted (MACH_MSG_TYPE_PORT_NAME, as in notifications) reads as an int
      if ((name !== MSG_TYPE.INTEGER_32 && name !== MSG_TYPE.PORT_NAME) || !inline) return MIG.TYPE_ERROR;
      out[o++] = view.getUint32(data, true) | 0;
      offset = data + 4;
    } else {
      if (!isPortType(name) || !inline) return MIG.TYPE_ERROR;
      out[o++] = view.getUint32(data, true) | 0;
      offset = data + 4;
    }
  }
  return o - outStart;
}

/** Marshals a reply: RetCode then the out arguments. */
export function marshalReply(view: DataView, request: MigRoutine, replyPort: number, replyDisposition: number, retCode: number, args: readonly MigArgument[], values: ArrayLike<number>): number {
  const size = marshal(view, request.id + MIG_REPLY_OFFSET, replyPort, replyDisposition, 0, 0, ['int', ...args], [retCode, ...Array.from(values)]);
  return size;
}

/** Options of the combined send/receive of a client stub. */
export const MIG_CALL_OPTIONS = MACH_SEND_MSG | MACH_RCV_MSG;
export const MIG_SUCCESS = KERN.SUCCESS;
