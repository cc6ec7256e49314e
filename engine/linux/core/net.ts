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
/** sk->max_unacked of 2.0 (af_inet.c inet_create): received bytes beyond which tcp_queue ACKs at once. */
const MAX_UNACKED = 2048;
/** Free skb data pages kept for reuse, as kmalloc keeps the pages of its size classes. */
const SKB_POOL_PAGES = 32;

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
  /** Bytes of each received TCP segment (skb) still in the ring, oldest first. */
  readonly segments: number[] = [];
  /** Segments this socket sent that its peer has not acknowledged (sk->send_head's list). */
  unacked = 0;
  /** Bytes received since this socket last sent a segment (sk->bytes_rcv). */
  bytesReceived = 0;
  constructor(readonly type: number) {}

  get capacity(): number {
    return this.ring.length * PAGE_SIZE;
  }
}

/**
 * The INET socket layer over the loopback device (net/socket.c, net/ipv4 of Linux 2.0, reduced):
 * UDP datagrams and TCP streams between processes of the same machine. Data really move: the
 * sender's copy (with the checksum folded in) goes into kernel buffers, the receiver's copy out
 * of them. The loopback device queues each packet for the NET_BH bottom half, which runs on the
 * return from the sending system call: its protocol work (net_bh, ip_rcv, udp_rcv or tcp_rcv,
 * and any ACK that tcp_rcv sends back) is charged in the sender's context, the receiving
 * system call's own work (recvmsg, freeing the skb) in the receiver's. Every verify_area of
 * the 2.0 path is made, on the buffers it names.
 */
export class SocketLayer {
  private readonly udp = new Map<number, Socket>();
  private readonly tcp = new Map<number, Socket>();
  private readonly skbPages: number[] = [];
  private nextPort = 1024;

  constructor(private readonly kernel: LinuxKernel) {}

  /** sock_read/sock_write (net/socket.c): verify_area of the user buffer, then inet_recvmsg/inet_sendmsg. */
  private ops(socket: Socket): FileOperations {
    return {
      read: (_k, task, file, buffer, count) => this.receiveVerified(task, socket, file, buffer, count, 0, 0),
      write: (_k, task, file, buffer, count) => this.sendVerified(task, socket, file, buffer, count, 0),
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
    const count = call === SYS_SENDTO || call === SYS_RECVFROM ? 6 : call === SYS_SEND || call === SYS_RECV ? 4 : 3;
    if (!this.kernel.verifyArea(task, argsAddress, count * 4, false)) return -E.EFAULT;
    const words = yield* k.readUserWords(task, argsAddress, count);
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
        return yield* this.sendVerified(task, socket, file, words[1], words[2], 0);
      case SYS_RECV:
        return yield* this.receiveVerified(task, socket, file, words[1], words[2], 0, 0);
      case SYS_SENDTO: {
        let port = 0;
        if (words[4] !== 0) {
          // move_addr_to_kernel
          if (!this.kernel.verifyArea(task, words[4], Math.min(words[5] | 0, 16), false)) return -E.EFAULT;
          port = yield* this.readPort(task, words[4]);
          if (port < 0) return port;
        }
        return yield* this.sendVerified(task, socket, file, words[1], words[2], port);
      }
      case SYS_RECVFROM:
        return yield* this.receiveVerified(task, socket, file, words[1], words[2], words[4], words[5]);
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

  /** An skb's data page: a kmalloc block, from the free ones kept (its cost is in udpSend). */
  private skbPage(): number {
    return this.skbPages.pop() ?? this.kernel.mm.allocate(false);
  }

  /** kfree of an skb's data page: kept for reuse, as kmalloc keeps the pages of a size class. */
  private releaseSkbPage(page: number): void {
    if (this.skbPages.length < SKB_POOL_PAGES) this.skbPages.push(page);
    else this.kernel.mm.put(page);
  }

  /** sys_sendto/sock_write: verify_area of the data (VERIFY_READ), then the protocol's sendmsg. */
  private *sendVerified(task: Task, socket: Socket, file: OpenFile, buffer: number, count: number, port: number): Operation<number> {
    if ((count | 0) < 0) return -E.EINVAL;
    if (!this.kernel.verifyArea(task, buffer, count, false)) return -E.EFAULT;
    if (socket.type === SOCK_DGRAM) return yield* this.sendDatagram(task, socket, buffer, count, port);
    return yield* this.sendStream(task, socket, file, buffer, count);
  }

  /**
   * udp_sendmsg over loopback: ip_build_xmit copies and checksums the data into a new skb
   * (csum_partial_copy_fromuser), loopback_xmit queues it, and NET_BH hands it to udp_rcv,
   * which queues it on the bound socket.
   */
  private *sendDatagram(task: Task, socket: Socket, buffer: number, count: number, port: number): Operation<number> {
    const k = this.kernel;
    const target = this.udp.get(port !== 0 ? port : socket.peerPort);
    if (count > PAGE_SIZE) return -E.EMSGSIZE;
    if (socket.port === 0) this.bind(socket, 0);
    k.run('udpSend');
    k.run('checksumPerDword', Math.ceil(count / 4));
    const page = this.skbPage();
    if (page < 0) return -E.ENOMEM;
    const copied = yield* k.substrate.copyFromUser(task, buffer, k.substrate.kernelLinear(page), count);
    if (copied < 0) {
      this.releaseSkbPage(page);
      return copied;
    }
    k.run('netBottomHalf');
    k.run('udpReceive');
    if (target === undefined || target.datagrams.length >= DGRAM_QUEUE) {
      this.releaseSkbPage(page); // dropped (no listener: ICMP port unreachable is not modelled)
      return count;
    }
    target.datagrams.push({ page, length: count, from: socket.port });
    k.wakeUp(target.wait);
    return count;
  }

  /**
   * tcp_sendmsg: one segment of at most an MSS per skb, each sent at once (the window and
   * congestion window of a loopback connection are open; Nagle holds nothing back while
   * nothing is unacknowledged) and received by the peer in NET_BH, which runs before the
   * writer sleeps and when it returns.
   */
  private *sendStream(task: Task, socket: Socket, file: OpenFile, buffer: number, count: number): Operation<number> {
    const k = this.kernel;
    const peer = socket.peer;
    if (socket.state !== 'connected' || peer === null) return -E.ENOTCONN;
    k.run('tcpSendCall');
    let sent = 0;
    let pending = false;
    const bottomHalf = (): void => {
      if (pending) k.run('netBottomHalf');
      pending = false;
    };
    while (sent < count) {
      while (peer.length === peer.capacity) {
        if (peer.state === 'closed') break;
        bottomHalf();
        if ((file.flags & O_NONBLOCK) !== 0) return sent > 0 ? sent : -E.EAGAIN;
        if (task.hasPendingSignal()) return sent > 0 ? sent : -E.ERESTARTSYS;
        yield* k.sleepOn(task, peer.wait);
      }
      if (peer.state === 'closed') {
        bottomHalf();
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
        if (copied < 0) {
          bottomHalf();
          return sent + done > 0 ? sent + done : copied;
        }
        peer.length += chunk;
        done += chunk;
      }
      pending = true;
      this.deliverSegment(socket, peer, segment);
      sent += segment;
      k.wakeUp(peer.wait);
    }
    bottomHalf();
    return sent;
  }

  /**
   * tcp_rcv of one segment at the peer: its ACK field frees what the peer had sent (tcp_ack),
   * its data are queued (tcp_data); tcp_queue ACKs at once past max_unacked received bytes and
   * otherwise arms the delayed ACK, which the next segment back carries instead (the delayed-ACK
   * timer itself is not modelled).
   */
  private deliverSegment(socket: Socket, peer: Socket, bytes: number): void {
    socket.bytesReceived = 0; // tcp_send_skb: clear_delayed_acks
    socket.unacked++;
    this.kernel.run('tcpReceive');
    this.acknowledged(peer);
    peer.segments.push(bytes);
    peer.bytesReceived += bytes;
    if (peer.bytesReceived >= MAX_UNACKED) this.sendAck(peer, socket);
  }

  /** tcp_send_ack from `from`, looped back and taken in by `to` (tcp_rcv, tcp_ack) in the same NET_BH. */
  private sendAck(from: Socket, to: Socket): void {
    this.kernel.run('tcpAck');
    from.bytesReceived = 0;
    this.acknowledged(to);
  }

  /** tcp_ack's walk of the retransmit queue: every segment `socket` sent is acknowledged and freed. */
  private acknowledged(socket: Socket): void {
    if (socket.unacked > 0) this.kernel.run('tcpAckedSkb', socket.unacked);
    socket.unacked = 0;
  }

  /** sys_recvfrom/sock_read: verify_area of the buffer (VERIFY_WRITE), then the protocol's recvmsg. */
  private *receiveVerified(
    task: Task,
    socket: Socket,
    file: OpenFile,
    buffer: number,
    count: number,
    fromAddress: number,
    lengthAddress: number,
  ): Operation<number> {
    if ((count | 0) < 0) return -E.EINVAL;
    if (count === 0) return 0;
    if (!this.kernel.verifyArea(task, buffer, count, true)) return -E.EFAULT;
    if (socket.type === SOCK_DGRAM) return yield* this.receiveDatagram(task, socket, file, buffer, count, fromAddress, lengthAddress);
    return yield* this.receiveStream(task, socket, file, buffer, count);
  }

  /** udp_recvmsg: skb_recv_datagram (sleeping while the queue is empty), the copy out, skb_free_datagram. */
  private *receiveDatagram(
    task: Task,
    socket: Socket,
    file: OpenFile,
    buffer: number,
    count: number,
    fromAddress: number,
    lengthAddress: number,
  ): Operation<number> {
    const k = this.kernel;
    while (socket.datagrams.length === 0) {
      if ((file.flags & O_NONBLOCK) !== 0) return -E.EAGAIN;
      if (task.hasPendingSignal()) return -E.ERESTARTSYS;
      k.run('udpRecvWait');
      yield* k.sleepOn(task, socket.wait);
    }
    k.run('udpRecvmsg');
    const datagram = socket.datagrams.shift()!;
    const n = Math.min(count, datagram.length);
    const copied = yield* k.substrate.copyToUser(task, k.substrate.kernelLinear(datagram.page), buffer, n);
    this.releaseSkbPage(datagram.page);
    if (copied < 0) return copied;
    if (fromAddress !== 0) {
      // move_addr_to_user: verify_area of the length word, then of the address
      if (!this.kernel.verifyArea(task, lengthAddress, 4, true) || !this.kernel.verifyArea(task, fromAddress, 16, true)) return -E.EFAULT;
      const address = Uint8Array.of(AF_INET, 0, datagram.from >> 8, datagram.from & 0xff, 127, 0, 0, 1);
      const written = yield* k.writeUserBytes(task, fromAddress, address);
      if (written < 0) return written;
    }
    return n;
  }

  /**
   * tcp_recvmsg: waits for data, copies from the queued segments (freeing each one used up),
   * then cleanup_rbuf, which sends an ACK when the reading at least doubled the free window
   * (tcp_raise_window).
   */
  private *receiveStream(task: Task, socket: Socket, file: OpenFile, buffer: number, count: number): Operation<number> {
    const k = this.kernel;
    if (socket.state !== 'connected') return -E.ENOTCONN;
    k.run('tcpRecvCall');
    while (socket.length === 0) {
      if (socket.peerClosed) return 0;
      if ((file.flags & O_NONBLOCK) !== 0) return -E.EAGAIN;
      if (task.hasPendingSignal()) return -E.ERESTARTSYS;
      k.run('tcpRecvWait');
      yield* k.sleepOn(task, socket.wait);
    }
    const window = socket.capacity - socket.length;
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
    k.run('tcpRecvSkb', this.consume(socket, read));
    const peer = socket.peer;
    if (peer !== null && socket.capacity - socket.length >= 2 * window) this.sendAck(socket, peer);
    if (peer !== null) k.wakeUp(socket.wait);
    return read;
  }

  /** Takes `bytes` off the queued segments: how many skbs tcp_recvmsg copied from. */
  private consume(socket: Socket, bytes: number): number {
    let touched = 0;
    while (bytes > 0 && socket.segments.length > 0) {
      const take = Math.min(bytes, socket.segments[0]);
      touched++;
      bytes -= take;
      if (take === socket.segments[0]) socket.segments.shift();
      else socket.segments[0] -= take;
    }
    return touched;
  }

  /** sock_select (inet_select → udp_select / tcp_select of 2.0): readable, writable, or the queue to wait on. */
  private select(socket: Socket, type: SelectType): SelectStatus {
    this.kernel.run('sockSelect');
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
    for (const d of socket.datagrams) this.releaseSkbPage(d.page);
    socket.datagrams.length = 0;
    socket.segments.length = 0;
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
