import type { Activity } from '../machine/executionContext';
import type { IpcSpace } from './ipcSpace';
import type { Port } from './port';
import type { Thread } from './thread';
import type { VmMap } from './vmMap';

/**
 * Where a task's Unix system calls (`int 0x80`) go: Mach 3's emulation vector
 * (task_set_emulation). The kernel turns the trap into an upcall of `handler` in user mode in the
 * same task, with the thread's registers as the trap left them; the emulator then talks to its
 * server by mach_msg. A task without one gets EXC_SYSCALL exceptions instead (MkLinux's path).
 */
export type SyscallRedirect = (thread: Thread, registers: Uint32Array) => Activity;

/**
 * A Mach task (kern/task.h): an address space (`map`), a port name space (`space`) and threads.
 * `colocated` tasks share the kernel's pmap (no address-space switch to or from them): the
 * in-kernel server configuration of Lepreau et al. and MkLinux's co-located server.
 */
export class Task {
  readonly threads: Thread[] = [];
  selfPort!: Port;
  exceptionPort: Port | null = null;
  syscallRedirect: SyscallRedirect | null = null;
  /**
   * Where a thread of this task resumes after an exception its handler answered with
   * KERN_SUCCESS, before the faulting access is retried: guest code is host code here, so a
   * handler that changed the thread's state (a Unix server pointing it at a signal handler, as
   * MkLinux's does with thread_set_state) supplies that continuation. Null: just the retry.
   */
  exceptionResume: ((thread: Thread) => Activity) | null = null;
  active = true;
  /**
   * Whether the task's threads are VM-privileged (thread_wire): their faults may take the free
   * frames of the reserve (the kernel's, and a memory manager's such as MkLinux's server, which
   * must not wait for the memory it provides to others).
   */
  vmPrivileged = false;
  /**
   * The base priority task_set_policy gave the task (kern/task.c; MkLinux's server sets POLICY_RR
   * at BASEPRI_SERVER in server_thread_init), or null if none was set. A thread created in the
   * task afterwards starts at it (thread_create takes the task's base priority), and a thread
   * migrating into the task by RPC assumes it while it runs there if it is higher (switch_act).
   */
  policyPriority: number | null = null;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly address: number,
    readonly space: IpcSpace,
    readonly map: VmMap,
    readonly colocated: boolean,
  ) {}
}
