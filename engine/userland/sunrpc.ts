import type { Operation } from '../machine/executionContext';
import type { Libc } from './libc';
import { USER_COSTS } from './userParameters';

/**
 * The Sun RPC 4.0 library (RPCSRC: xdr.c, xdr_mem.c, xdr_rec.c, rpc_prot.c, clnt_udp.c,
 * clnt_tcp.c, svc_udp.c, svc_tcp.c, svc.c) as lmbench's lat_rpc links it, reduced to what a null
 * call needs but with its real messages and system calls: messages are XDR-encoded (big-endian
 * 32-bit units, RFC 1014) in user buffers, word by word through the xdr_ops vector; a call is
 * the RFC 1057 call header with AUTH_NULL credentials and verifier, the reply an accepted reply.
 * The client sends, then select()s for the reply before receiving it (clnt_udp's wait loop,
 * clnt_tcp's readtcp); the server (svc_run) select()s, receives, decodes and checks the call,
 * dispatches and sends the encoded reply. Over TCP each message is one xdrrec record: a 4-byte
 * record mark (last-fragment bit | length) before the body.
 */

const CALL = 0;
const REPLY = 1;
const RPC_VERSION = 2;
const MSG_ACCEPTED = 0;
const SUCCESS = 0;
const PROG_UNAVAIL = 1;
const PROC_UNAVAIL = 3;
const AUTH_NULL = 0;
const LAST_FRAGMENT = 0x80000000;
/** xid, direction, rpcvers, prog, vers: the part clnt_*_create serializes once. */
const CALL_HEADER_BYTES = 20;
/** NULLPROC: procedure 0, no arguments, no results. */
export const NULLPROC = 0;

/** htonl/ntohl on the little-endian i386. */
function byteSwap(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/** An XDR memory stream over a user buffer (xdrmem_create), with the record mark for TCP. */
class XdrStream {
  private position = 0;
  constructor(private readonly libc: Libc, readonly buffer: number, private readonly record: boolean) {}

  /** XDR_SETPOS to the first unit of the body (after the record mark on TCP). */
  rewind(): void {
    this.position = this.record ? 4 : 0;
  }

  /** XDR_SETPOS to byte `offset` of the body. */
  seek(offset: number): void {
    this.position = (this.record ? 4 : 0) + offset;
  }

  get length(): number {
    return this.position;
  }

  /** `(*(u_long *)(outbuf))++`: the xid of a pre-serialized header, bumped in place (a read-modify-write, no XDR call). */
  *bumpFirst(value: number): Operation<void> {
    const at = this.buffer + (this.record ? 4 : 0);
    yield* this.libc.loadWord(at);
    yield* this.libc.storeWords(at, [byteSwap(value >>> 0)]);
  }

  /** xdr_u_long → XDR_PUTLONG → xdrmem_putlong: one unit in network order. */
  *put(value: number): Operation<void> {
    this.libc.spend(USER_COSTS.xdrPrimitive * this.libc.cpu.p.instruction);
    yield* this.libc.storeWords(this.buffer + this.position, [byteSwap(value >>> 0)]);
    this.position += 4;
  }

  /** xdr_u_long when decoding → xdrmem_getlong. */
  *get(): Operation<number> {
    this.libc.spend(USER_COSTS.xdrPrimitive * this.libc.cpu.p.instruction);
    const value = byteSwap(yield* this.libc.loadWord(this.buffer + this.position));
    this.position += 4;
    return value;
  }

  /** xdrrec_endofrecord: writes the record mark of the body before it (TCP only). */
  *endRecord(): Operation<void> {
    if (!this.record) return;
    yield* this.libc.storeWords(this.buffer, [byteSwap((LAST_FRAGMENT | (this.position - 4)) >>> 0)]);
  }
}

/** A transport: a connected stream or a datagram socket with its peer's port. */
export interface RpcTransport {
  readonly fd: number;
  readonly stream: boolean;
  /** Peer port for datagrams (set by the server from the request's source). */
  port: number;
}

function* send(libc: Libc, transport: RpcTransport, xdr: XdrStream): Operation<number> {
  yield* xdr.endRecord();
  return transport.stream ? yield* libc.write(transport.fd, xdr.buffer, xdr.length) : yield* libc.sendto(transport.fd, xdr.buffer, xdr.length, transport.port);
}

/** select() until the socket is readable (clnt_udp's wait, readtcp), then one receive. */
function* receive(libc: Libc, transport: RpcTransport, buffer: number, size: number): Operation<number> {
  for (;;) {
    const [ready] = yield* libc.select([[transport.fd], [], []], null);
    if (ready > 0) break;
    if (ready !== -4) return ready < 0 ? ready : -110; // EINTR retries; ETIMEDOUT
  }
  if (transport.stream) return yield* libc.read(transport.fd, buffer, size);
  const [got, from] = yield* libc.recvfrom(transport.fd, buffer, size);
  if (got >= 0) transport.port = from;
  return got;
}

/** The AUTH_NULL opaque_auth: flavor and a zero length. */
function* putAuthNull(xdr: XdrStream): Operation<void> {
  yield* xdr.put(AUTH_NULL);
  yield* xdr.put(0);
}

/** Decodes an opaque_auth; only AUTH_NULL (no body) is accepted. */
function* getAuth(xdr: XdrStream): Operation<boolean> {
  const flavor = yield* xdr.get();
  const length = yield* xdr.get();
  return flavor === AUTH_NULL && length === 0;
}

const BUFFER_BYTES = 256;

/** A client handle (clnt_udp_create / clnt_tcp_create): the call header is serialized once. */
export class RpcClient {
  private readonly out: XdrStream;
  private readonly input: XdrStream;
  private xid: number;

  private constructor(private readonly libc: Libc, private readonly transport: RpcTransport, buffer: number, readonly program: number, readonly version: number) {
    this.out = new XdrStream(libc, buffer, transport.stream);
    this.input = new XdrStream(libc, buffer + BUFFER_BYTES, transport.stream);
    this.xid = 0x1000 + transport.fd;
  }

  static *create(libc: Libc, transport: RpcTransport, program: number, version: number): Operation<RpcClient | number> {
    const buffer = yield* libc.malloc(2 * BUFFER_BYTES);
    if (buffer === 0) return -12;
    const client = new RpcClient(libc, transport, buffer, program, version);
    // xdr_callhdr once: xid, CALL, rpcvers, prog, vers (clnt_*_create pre-serializes them)
    client.out.rewind();
    for (const word of [client.xid, CALL, RPC_VERSION, program, version]) yield* client.out.put(word);
    return client;
  }

  /**
   * clnt_call(NULLPROC-style, void arguments and results): 0 on success, a positive RPC
   * accept_stat for a refused call, or -errno from the transport or a malformed reply.
   */
  *call(procedure: number): Operation<number> {
    const libc = this.libc;
    libc.spend(USER_COSTS.rpcClientCall * libc.cpu.p.instruction);
    const out = this.out;
    // the xid of the pre-serialized header is bumped in place; then proc, cred, verf
    this.xid = (this.xid + 1) >>> 0;
    yield* out.bumpFirst(this.xid);
    out.seek(CALL_HEADER_BYTES);
    yield* out.put(procedure);
    yield* putAuthNull(out);
    yield* putAuthNull(out);
    const sent = yield* send(libc, this.transport, out);
    if (sent < 0) return sent;
    const got = yield* receive(libc, this.transport, this.input.buffer, BUFFER_BYTES);
    if (got < 0) return got;
    const input = this.input;
    input.rewind();
    if (this.transport.stream && got < 4) return -71; // EPROTO
    const xid = yield* input.get();
    const direction = yield* input.get();
    const status = yield* input.get();
    if (xid !== this.xid || direction !== REPLY || status !== MSG_ACCEPTED || !(yield* getAuth(input))) return -71;
    return yield* input.get();
  }
}

/**
 * One turn of svc_run for a server registered for (`program`, `version`) with only NULLPROC:
 * waits for a request, decodes and checks it, answers it. Returns 0, or -errno when the
 * transport fails (end of stream).
 */
export function* serveOne(libc: Libc, transport: RpcTransport, buffer: number, program: number, version: number): Operation<number> {
  const got = yield* receive(libc, transport, buffer, BUFFER_BYTES);
  if (got <= 0) return got < 0 ? got : -32;
  libc.spend(USER_COSTS.rpcServerRequest * libc.cpu.p.instruction);
  const input = new XdrStream(libc, buffer, transport.stream);
  input.rewind();
  const xid = yield* input.get();
  const direction = yield* input.get();
  const rpcVersion = yield* input.get();
  const calledProgram = yield* input.get();
  const calledVersion = yield* input.get();
  const procedure = yield* input.get();
  const credOk = yield* getAuth(input);
  const verfOk = yield* getAuth(input);
  if (direction !== CALL || rpcVersion !== RPC_VERSION || !credOk || !verfOk) return 0; // svcerr_decode: dropped
  const accept = calledProgram !== program || calledVersion !== version ? PROG_UNAVAIL : procedure !== NULLPROC ? PROC_UNAVAIL : SUCCESS;
  const out = new XdrStream(libc, buffer + BUFFER_BYTES, transport.stream);
  out.rewind();
  for (const word of [xid, REPLY, MSG_ACCEPTED]) yield* out.put(word);
  yield* putAuthNull(out);
  yield* out.put(accept);
  const sent = yield* send(libc, transport, out);
  return sent < 0 ? sent : 0;
}

/** Bytes a server's buffer needs (request and reply areas). */
export const RPC_SERVER_BUFFER = 2 * BUFFER_BYTES;
