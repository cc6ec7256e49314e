import type { Operation } from '../../machine/executionContext';
import * as E from './errno';
import type { LinuxKernel } from './kernel';
import { PAGE_SIZE } from './mm';
import {
  AF_INET, O_NONBLOCK, O_RDWR, SIG, SOCK_DGRAM, SOCK_STREAM, SYS_ACCEPT, SYS_BIND, SYS_CONNECT, SYS_LISTEN, SYS_RECV, SYS_RECVFROM, SYS_SEND,
  SYS_SENDTO, SYS_SOCKET,
} from './syscalls';
import { WaitQueue, type Task } from './task';
import type { SelectStatus, SelectType } from './select';
import { OpenFile, type FileOperations } from './vfs';

/** Loopback MTU of Linux 2.0 (drivers/net/loopback.c) less 40 bytes of IP and TCP headers. */
const TCP_MSS = 3884;
/** Receive buffer of a TCP socket: SK_RMEM_MAX = 32767 in 2.0, rounded to 8 pages. */
const STREAM_RING_PAGES = 8;
const DGRAM_QUEUE = 32;

/**
 * A socket of the loopback-only INET layer: a stream endpoint with a receive ring in kernel pages
 * (the skbs' data), or a datagram endpoint with a queue of one-page datagrams.
 */
export class Socket {
  port = 0;
  peer: Socket | null = null;
  peerPort = 0;
  state: 'open' | 'listening' | 'connected' | 'closed' = 'open';
  peerClosed = false;
  readonly wait = new WaitQueue();
  readonly ring: number[] = [];
  start = 0;
  length = 0;
  readonly datagrams: Array<{ page: number; length: number; from: number }> = [];
  readonly backlog: Socket[] = [];
  constructor(readonly type: number) {}

  get capacity(): number {
    return this.ring.length * PAGE_SIZE;
  }
}

/**
 * The INET socket layer over the loopback device (net/socket.c, net/ipv4 of Linux 2.0, reduced):
 * UDP datagrams and TCP streams between processes of the same machine. Data really move: the
 * sender's copy (with the checksum folded in) goes into kernel buffers, the receiver's copy out
 * of them. The protocol work of the receive side (net_bh, ip_rcv, tcp_rcv/udp_rcv) is charged
 * when the loopback device hands the packet over, in the sender's context, as it happens on
 * return from the sending system call.
 */
export class SocketLayer {
  private readonly udp = new Map<number, Socket>();
  private readonly tcp = new Map<number, Socket>();
  private nextPort = 1024;

  constructor(private readonly kernel: LinuxKernel) {}

  private ops(socket: Socket): FileOperations {
    return {
      read: (_k, task, file, buffer, count) => this.receive(task, socket, file, buffer, count, 0),
      write: (_k, task, file, buffer, count) => this.send(task, socket, file, buffer, count, 0),
      release: () => this.close(socket),
      select: (_k, _file, type) => this.select(socket, type),
    };
  }

  private socketOf(task: Task, fd: number): [Socket, OpenFile] | null {
    const file = fd >= 0 && fd < task.files.length ? task.files[fd] : null;
    const socket = (file?.inode as { socket?: Socket } | undefined)?.socket;
    return file !== null && file !== undefined && socket !== undefined ? [socket, file] : null;
  }

  /** sys_socketcall(call, args): the BSD socket calls of Linux/i386. */
  *socketcall(task: Task, call: number, argsAddress: number): Operation<number> {
    const k = this.kernel;
    k.run('socketCall');
    const words = yield* k.readUserWords(task, argsAddress, call === SYS_SENDTO || call === SYS_RECVFROM ? 6 : call === SYS_SEND || call === SYS_RECV ? 4 : 3);
    if (typeof words === 'number') return words;
    if (call === SYS_SOCKET) return this.create(task, words[0], words[1]);
    const found = this.socketOf(task, words[0] | 0);
    if (found === null) return task.files[words[0] | 0] ? -E.ENOTSOCK : -E.EBADF;
    const [socket, file] = found;
    switch (call) {
      case SYS_BIND:
      case SYS_CONNECT: {
        const port = yield* this.readPort(task, words[1]);
        if (port < 0) return port;
        return call === SYS_BIND ? this.bind(socket, port) : this.connect(socket, port);
      }
      case SYS_LISTEN:
        if (socket.type !== SOCK_STREAM || socket.port === 0) return -E.EINVAL;
        socket.state = 'listening';
        return 0;
      case SYS_ACCEPT:
        return yield* this.accept(task, socket, file);
      case SYS_SEND:
        return yield* this.send(task, socket, file, words[1], words[2], 0);
      case SYS_RECV:
        return yield* this.receive(task, socket, file, words[1], words[2], 0);
      case SYS_SENDTO: {
        let port = 0;
        if (words[4] !== 0) {
          port = yield* this.readPort(task, words[4]);
          if (port < 0) return port;
        }
        return yield* this.send(task, socket, file, words[1], words[2], port);
      }
      case SYS_RECVFROM:
        return yield* this.receive(task, socket, file, words[1], words[2], words[4]);
      default:
        return -E.EINVAL;
    }
  }

  private *readPort(task: Task, address: number): Operation<number> {
    const bytes = yield* this.kernel.readUserBytes(task, address, 8);
    if (typeof bytes === 'number') return bytes;
    if ((bytes[0] | (bytes[1] << 8)) !== AF_INET) return -E.EAFNOSUPPORT;
    return (bytes[2] << 8) | bytes[3];
  }

  private create(task: Task, domain: number, type: number): number {
    this.kernel.run('socketSetup');
    if (domain !== AF_INET) return -E.EAFNOSUPPORT;
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) return -E.EINVAL;
    const socket = new Socket(type);
    return this.install(task, socket);
  }

  private install(task: Task, socket: Socket): number {
    const inode = this.kernel.fs.newInode('sock', 0o777);
    (inode as { socket?: Socket }).socket = socket;
    return this.kernel.installOpenFile(task, new OpenFile(inode, O_RDWR, this.ops(socket)));
  }

  private ports(socket: Socket): Map<number, Socket> {
    return socket.type === SOCK_STREAM ? this.tcp : this.udp;
  }

  private bind(socket: Socket, port: number): number {
    this.kernel.run('socketSetup');
    const ports = this.ports(socket);
    if (port === 0) port = this.ephemeral(ports);
    if (ports.has(port)) return -E.EADDRINUSE;
    socket.port = port;
    ports.set(port, socket);
    return 0;
  }

  private ephemeral(ports: Map<number, Socket>): number {
    while (ports.has(this.nextPort)) this.nextPort++;
    return this.nextPort++;
  }

  private allocateRing(socket: Socket): boolean {
    for (let i = 0; i < STREAM_RING_PAGES; i++) {
      const page = this.kernel.mm.allocate(false);
      if (page < 0) return false;
      socket.ring.push(page);
    }
    return true;
  }

  private connect(socket: Socket, port: number): number {
    const k = this.kernel;
    k.run('socketSetup');
    if (socket.port === 0) this.bind(socket, 0);
    if (socket.type === SOCK_DGRAM) {
      socket.peerPort = port;
      return 0;
    }
    const listener = this.tcp.get(port);
    if (listener === undefined || listener.state !== 'listening') return -E.ECONNREFUSED;
    const server = new Socket(SOCK_STREAM);
    server.port = port;
    if (!this.allocateRing(socket) || !this.allocateRing(server)) return -E.ENOMEM;
    server.peer = socket;
    socket.peer = server;
    server.state = 'connected';
    socket.state = 'connected';
    // three-way handshake over loopback: SYN, SYN-ACK, ACK
    k.run('tcpSend', 3);
    k.run('tcpReceive', 3);
    listener.backlog.push(server);
    k.wakeUp(listener.wait);
    return 0;
  }

  private *accept(task: Task, socket: Socket, file: OpenFile): Operation<number> {
    if (socket.state !== 'listening') return -E.EINVAL;
    while (socket.backlog.length === 0) {
      if ((file.flags & O_NONBLOCK) !== 0) return -E.EAGAIN;
      if (task.hasPendingSignal()) return -E.ERESTARTSYS;
      yield* this.kernel.sleepOn(task, socket.wait);
    }
    this.kernel.run('socketSetup');
    return this.install(task, socket.backlog.shift()!);
  }

  private *send(task: Task, socket: Socket, file: OpenFile, buffer: number, count: number, port: number): Operation<number> {
    const k = this.kernel;
    if (socket.type === SOCK_DGRAM) {
      const target = this.udp.get(port !== 0 ? port : socket.peerPort);
      if (count > PAGE_SIZE) return -E.EMSGSIZE;
      if (socket.port === 0) this.bind(socket, 0);
      k.run('udpSend');
      k.run('checksumPerDword', Math.ceil(count / 4));
      const page = k.mm.allocate(false);
      if (page < 0) return -E.ENOMEM;
      const copied = yield* k.substrate.copyFromUser(task, buffer, k.substrate.kernelLinear(page), count);
      if (copied < 0) {
        k.mm.put(page);
        return copied;
      }
      if (target === undefined || target.datagrams.length >= DGRAM_QUEUE) {
        k.mm.put(page); // dropped (no listener: ICMP port unreachable is not modelled)
        return count;
      }
      k.run('udpReceive');
      target.datagrams.push({ page, length: count, from: socket.port });
      k.wakeUp(target.wait);
      return count;
    }
    const peer = socket.peer;
    if (socket.state !== 'connected' || peer === null) return -E.ENOTCONN;
    let sent = 0;
    while (sent < count) {
      while (peer.length === peer.capacity) {
        if (peer.state === 'closed') break;
        if ((file.flags & O_NONBLOCK) !== 0) return sent > 0 ? sent : -E.EAGAIN;
        if (task.hasPendingSignal()) return sent > 0 ? sent : -E.ERESTARTSYS;
        yield* k.sleepOn(task, peer.wait);
      }
      if (peer.state === 'closed') {
        k.sendSignal(task, SIG.SIGPIPE);
        return sent > 0 ? sent : -E.EPIPE;
      }
      const segment = Math.min(count - sent, TCP_MSS, peer.capacity - peer.length);
      k.run('tcpSend');
      k.run('checksumPerDword', Math.ceil(segment / 4));
      let done = 0;
      while (done < segment) {
        const end = (peer.start + peer.length) % peer.capacity;
        const chunk = Math.min(segment - done, PAGE_SIZE - (end % PAGE_SIZE), peer.capacity - end);
        const target = k.substrate.kernelLinear(peer.ring[Math.floor(end / PAGE_SIZE)] + (end % PAGE_SIZE));
        const copied = yield* k.substrate.copyFromUser(task, buffer + sent + done, target, chunk);
        if (copied < 0) return sent + done > 0 ? sent + done : copied;
        peer.length += chunk;
        done += chunk;
      }
      k.run('tcpReceive');
      sent += segment;
      k.wakeUp(peer.wait);
    }
    return sent;
  }

  private *receive(task: Task, socket: Socket, file: OpenFile, buffer: number, count: number, fromAddress: number): Operation<number> {
    const k = this.kernel;
    if (socket.type === SOCK_DGRAM) {
      while (socket.datagrams.length === 0) {
        if ((file.flags & O_NONBLOCK) !== 0) return -E.EAGAIN;
        if (task.hasPendingSignal()) return -E.ERESTARTSYS;
        yield* k.sleepOn(task, socket.wait);
      }
      const datagram = socket.datagrams.shift()!;
      const n = Math.min(count, datagram.length);
      const copied = yield* k.substrate.copyToUser(task, k.substrate.kernelLinear(datagram.page), buffer, n);
      k.mm.put(datagram.page);
      if (copied < 0) return copied;
      if (fromAddress !== 0) {
        const address = Uint8Array.of(AF_INET, 0, datagram.from >> 8, datagram.from & 0xff, 127, 0, 0, 1);
        const written = yield* k.writeUserBytes(task, fromAddress, address);
        if (written < 0) return written;
      }
      return n;
    }
    if (socket.state !== 'connected') return -E.ENOTCONN;
    while (socket.length === 0) {
      if (socket.peerClosed) return 0;
      if ((file.flags & O_NONBLOCK) !== 0) return -E.EAGAIN;
      if (task.hasPendingSignal()) return -E.ERESTARTSYS;
      yield* k.sleepOn(task, socket.wait);
    }
    let read = 0;
    while (read < count && socket.length > 0) {
      const chunk = Math.min(count - read, socket.length, PAGE_SIZE - (socket.start % PAGE_SIZE), socket.capacity - socket.start);
      const source = k.substrate.kernelLinear(socket.ring[Math.floor(socket.start / PAGE_SIZE)] + (socket.start % PAGE_SIZE));
      const copied = yield* k.substrate.copyToUser(task, source, buffer + read, chunk);
      if (copied < 0) return read > 0 ? read : copied;
      socket.start = (socket.start + chunk) % socket.capacity;
      socket.length -= chunk;
      read += chunk;
    }
    k.run('tcpAck', Math.max(1, Math.round(read / TCP_MSS)));
    if (socket.peer !== null) k.wakeUp(socket.wait);
    return read;
  }

  /** sock_select (inet_select → udp_select / tcp_select of 2.0): readable, writable, or the queue to wait on. */
  private select(socket: Socket, type: SelectType): SelectStatus {
    if (type === 'ex') return null;
    if (type === 'in') {
      if (socket.type === SOCK_DGRAM) return socket.datagrams.length > 0 ? true : socket.wait;
      const readable = socket.length > 0 || socket.peerClosed || socket.state === 'closed' || socket.backlog.length > 0;
      return readable ? true : socket.wait;
    }
    const peer = socket.peer;
    if (socket.type === SOCK_DGRAM || socket.state !== 'connected' || peer === null) return true;
    return peer.length < peer.capacity || peer.state === 'closed' ? true : peer.wait;
  }

  private close(socket: Socket): void {
    const k = this.kernel;
    if (socket.port !== 0 && this.ports(socket).get(socket.port) === socket) this.ports(socket).delete(socket.port);
    socket.state = 'closed';
    for (const d of socket.datagrams) k.mm.put(d.page);
    socket.datagrams.length = 0;
    const peer = socket.peer;
    if (peer !== null) {
      peer.peerClosed = true;
      k.wakeUp(peer.wait);
    }
    k.wakeUp(socket.wait);
    for (const page of socket.ring) k.mm.put(page);
    socket.ring.length = 0;
  }
}
