// L4 Lab: the guest API of the simulated L4 µ-kernel (L4/x86 "version 2", as L4Linux used in
// SOSP'97), as a custom server sees it. "New Custom Server" writes this file beside your server,
// so that IntelliSense, hover docs and type errors work without any configuration.
// It mirrors engine/l4/guestApi.ts (class L4Api) and engine/api/customServer.ts (CustomServerLab);
// a unit test checks that every member declared here exists there.
// System calls are generator functions: call them with `yield*`.

declare namespace L4 {
  /** A 64-bit L4 thread id as two 32-bit words (task, lthread, version, chief bits). */
  interface ThreadId {
    readonly low: number;
    readonly high: number;
  }

  /** The result of an IPC (one object per thread, overwritten by its next IPC: copy what you keep). */
  interface IpcResult {
    /** The result message dope (EAX). */
    dope: number;
    /** Its error part: 0 = success, else an IPC error code (timeout, cancelled, ...). */
    error: number;
    /** Received words 0 and 1 (EDX, EBX). */
    w0: number;
    w1: number;
    /** The sender's id (ESI:EDI): reply to `{ low: sourceLow, high: sourceHigh }`. */
    sourceLow: number;
    sourceHigh: number;
  }

  /** Send and receive descriptors other than the short defaults (see `lab.abi`). */
  interface IpcOptions {
    /** Send descriptor: short (default), `abi.SEND_SHORT_MAP`, or `abi.sendBuffer(address)` for long IPC. */
    readonly send?: number;
    /** Receive descriptor: short (default), `abi.receiveWindow(address, log2Size)`, or a message buffer address. */
    readonly receive?: number;
  }

  /** A thread body or a system call without a result. */
  type Activity = Generator<void, void, void>;
  /** A system call that returns a `T`. */
  type Operation<T> = Generator<void, T, void>;

  /** The L4 system calls as a thread sees them (the classic C bindings: `l4_ipc_call` is `ipcCall`). */
  interface Api {
    /** This thread's id (`l4_myself`). */
    readonly myself: ThreadId;
    /** This thread's task number. */
    readonly taskNumber: number;
    /** This thread's lthread number. */
    readonly lthread: number;
    /** The id of sigma0's thread (the initial pager). */
    readonly sigma0: ThreadId;
    /** The cycle counter (RDTSC): simulated cycles since reset. */
    now(): number;
    /** The id of lthread `lthread` of task `task` (null if none). */
    idOf(task: number, lthread?: number): ThreadId | null;
    /** `l4_ipc_call`: send to `destination` and receive its reply. `timeouts` is an L4 timeout word (default: never). */
    ipcCall(destination: ThreadId, w0: number, w1: number, timeouts?: number, options?: IpcOptions): Operation<IpcResult>;
    /** `l4_ipc_send`: send only. */
    ipcSend(destination: ThreadId, w0: number, w1: number, timeouts?: number, options?: IpcOptions): Operation<IpcResult>;
    /** `l4_ipc_receive`: closed receive from `source`. */
    ipcReceive(source: ThreadId, timeouts?: number, options?: IpcOptions): Operation<IpcResult>;
    /** `l4_ipc_wait`: open receive from anyone. */
    ipcWait(timeouts?: number, options?: IpcOptions): Operation<IpcResult>;
    /** `l4_ipc_reply_and_wait`: send to `destination`, then open receive. */
    ipcReplyAndWait(destination: ThreadId, w0: number, w1: number, timeouts?: number, options?: IpcOptions): Operation<IpcResult>;
    /** `l4_fpage_unmap`: unmaps `fpage` from every space that got it from this one. */
    fpageUnmap(fpage: number, mask: number): Activity;
    /** `l4_thread_switch`: donate the CPU to `destination`, or yield. */
    threadSwitch(destination?: ThreadId): Activity;
    /** Spends `cycles` of user computation. */
    compute(cycles: number): Activity;
    /** Reads a dword of this address space (page faults go to the pager). */
    read32(address: number): Operation<number>;
    /** Writes a dword. */
    write32(address: number, value: number): Activity;
    /** Touches `length` bytes (reads, or writes if `write`) as a loop of dword moves would. */
    touch(address: number, length: number, write?: boolean): Activity;
    /** Copies `bytes` into this space at `address`. */
    write(address: number, bytes: Uint8Array): Activity;
    /** Copies `length` bytes out of this space. */
    read(address: number, length: number): Operation<Uint8Array>;
  }

  /** Encodings of the L4/x86 v2 ABI. */
  interface Abi {
    /** An fpage word: 2^log2Size bytes at `address` (rounded down), writable unless `write` is false. */
    fpage(address: number, log2Size: number, write?: boolean, grant?: boolean): number;
    /** A receive descriptor that accepts mappings into 2^log2Size bytes at `address`. */
    receiveWindow(address: number, log2Size: number): number;
    /** A send descriptor for the long message buffer at `address`. */
    sendBuffer(address: number, map?: boolean): number;
    /** A message dope: `dwords` in the buffer, `strings` string dopes. */
    messageDope(dwords: number, strings?: number): number;
    /** Byte offset of string dope `index` in a buffer of `dwords` dwords. */
    stringDopeOffset(dwords: number, index: number): number;
    /** Offsets in a long message buffer. */
    readonly MESSAGE_BUFFER: { readonly receiveFpage: 0; readonly sizeDope: 4; readonly sendDope: 8; readonly dwords: 12; readonly stringDopeBytes: 16 };
    /** Send descriptor of a short message whose two words are a map item (send base, fpage). */
    readonly SEND_SHORT_MAP: number;
    /** fpageUnmap mask: flush the pages, not only write-protect them. */
    readonly UNMAP_FLUSH: number;
  }

  /** What the lab gives your threads besides the L4 API: measurement probes, a console, the ABI. */
  interface Lab {
    /** Iterations to measure: 1000 in quick mode, 10000 in full mode (setting l4lab.iterations). */
    readonly rounds: number;
    /** Opens the measured region (costs no simulated time). */
    begin(): void;
    /** Closes it after `operations` operations that moved `bytes` bytes in all (for a bandwidth). */
    end(operations: number, bytes?: number): void;
    /** Prints a line to the "L4 Lab: Custom Server" output. */
    log(...values: unknown[]): void;
    /** ABI encodings (custom servers cannot import modules). */
    readonly abi: Abi;
  }
}
