import type { ExecutionContext } from '../../machine/executionContext';
import type { Port } from '../../mach/port';
import type { Task as MachTask } from '../../mach/task';
import type { Thread } from '../../mach/thread';
import type { SystemCallGate } from '../core/substrate';
import type { Task } from '../core/task';
import type { ServerActor } from './serverLock';
import type { UserMemoryOwner } from './userMemory';

/** A pending memory_object_lock_request (flush) of a range of a process's memory object. */
export interface Flush {
  readonly offset: number;
  readonly size: number;
}

/**
 * What MkLinux builds for one Linux process (`task.substrateData`): its Mach task and thread
 * (the user side), the memory object its address space is mapped from (the server is its pager),
 * the port its system-call requests go to, and the server-side actor that runs its Linux code.
 */
export interface MkLinuxProcess {
  readonly task: Task;
  readonly machTask: MachTask;
  /** The server's name for the task's kernel port (task_create's out port; init's granted at boot). */
  readonly taskName: number;
  readonly userThread: Thread;
  /** The server's name for the user thread's kernel port (thread_create's out port; init's granted at boot). */
  readonly threadName: number;
  readonly gate: SystemCallGate;
  /** The request port (receive right in the server): the process's trap port, its thread's exception port. */
  readonly requestPort: Port;
  /** The memory object (pager) port of the process's address space, a receive right of the server. */
  readonly pagerPort: Port;
  readonly pagerName: number;
  /** The kernel's control port of the memory object, once the object exists. */
  readonly control: Port | null;
  /** The name of a send right to the control port in the server (user-mode server), 0 until known. */
  controlName: number;
  /** The server thread of the process (user-mode server), or the user thread itself (co-located). */
  readonly actor: ServerActor;
  /** Flushes of the object the server must send before the process runs again. */
  readonly flushes: Flush[];
  /** Many PTEs changed (fork, munmap, exec): compare the object's pages with Linux's PTEs before the next flushes. */
  recheck: boolean;
  /** Host coroutines, for failure reports. */
  readonly contexts: readonly ExecutionContext[];
  /** The server's port set of this process's request and pager ports (user-mode server), else 0. */
  readonly setName: number;
  /** The thread state of the system call being served (exception_raise_state's, answered in its reply). */
  readonly trapState: Int32Array;
  /**
   * The reply right of the request the co-located server is serving for this process (taken
   * from the request, answered when the handler returns); a handler that never returns (exit,
   * a fatal signal) leaves it to the exit (MkLinux.destroyTask) to destroy.
   */
  pendingReply: { readonly port: Port; readonly type: number } | null;
  /** The user-mode server's share-cache state for this process (its regions, hints, task port), else null. */
  readonly userMemory: UserMemoryOwner | null;
}
