import { ACCESS_READ, ACCESS_WRITE, type Cpu } from '../../machine/cpu';
import { TASK_STRUCT, type Task } from './task';

const TASK_STATE = TASK_STRUCT.state;
const TASK_RUN_LINKS = TASK_STRUCT.runLinks;
/**
 * Where `struct wait_queue wait = { current, NULL }` of __sleep_on lies on a sleeper's kernel
 * stack: below the 68-byte SAVE_ALL frame at the top of the page and the frames of the system
 * call, the file operation and __sleep_on (return addresses, saved registers, locals: about
 * 120 bytes; tag I).
 */
const WAIT_ENTRY = 4096 - 68 - 120;
/** In kernel/sched.c's static data: init_task (task[0], the run-queue head) at its start, kstat after it. */
const INIT_TASK = 0;
const KSTAT_CONTEXT_SWITCHES = 0x400;

/**
 * The memory traffic of Linux 2.0's wait queues and run queue (kernel/sched.c), which the
 * personality's sleep and wake-up paths cause on every substrate: __sleep_on links a wait entry
 * that lives on the sleeper's own kernel stack, so wake_up_interruptible reads the entries of
 * the sleepers' stacks; wake_up_process writes the woken task's state and links it into the run
 * queue behind init_task; schedule()'s del_from_runqueue unlinks the previous task and counts
 * the switch in kstat. The accesses go through the TLBs and caches of whatever runs the
 * personality, so after an address-space switch they cost what they really cost.
 */
export class WaitFootprint {
  /**
   * @param schedData linear address of kernel/sched.c's static data (init_task, kstat): a page of
   * the kernel image, apart from the kmalloc'd task structs and kernel stacks.
   */
  constructor(
    private readonly cpu: Cpu,
    private readonly linear: (physical: number) => number,
    private readonly schedData: number,
  ) {}

  /** __sleep_on before schedule(): current->state and the wait entry on its own stack. */
  sleep(task: Task): void {
    if (task.structPhysical > 0) this.cpu.access(this.linear(task.structPhysical) + TASK_STATE, 4, ACCESS_WRITE, false);
    if (task.kernelStackPhysical > 0) this.cpu.access(this.linear(task.kernelStackPhysical) + WAIT_ENTRY, 8, ACCESS_WRITE, false);
  }

  /** __remove_wait_queue after schedule(): the task's own wait entry. */
  wake(task: Task): void {
    if (task.kernelStackPhysical > 0) this.cpu.access(this.linear(task.kernelStackPhysical) + WAIT_ENTRY, 8, ACCESS_READ, false);
  }

  /** wake_up_interruptible reaching `sleeper`: its wait entry (on its stack) and its state. */
  visit(sleeper: Task): void {
    if (sleeper.kernelStackPhysical > 0) this.cpu.access(this.linear(sleeper.kernelStackPhysical) + WAIT_ENTRY, 8, ACCESS_READ, false);
    if (sleeper.structPhysical > 0) this.cpu.access(this.linear(sleeper.structPhysical) + TASK_STATE, 4, ACCESS_READ, false);
  }

  /** wake_up_process + add_to_runqueue: state, next_run/prev_run of `task`, init_task.prev_run. */
  enqueue(task: Task): void {
    if (task.structPhysical > 0) {
      const struct = this.linear(task.structPhysical);
      this.cpu.access(struct + TASK_STATE, 4, ACCESS_WRITE, false);
      this.cpu.access(struct + TASK_RUN_LINKS, 8, ACCESS_WRITE, false);
    }
    this.cpu.access(this.schedData + INIT_TASK + TASK_RUN_LINKS, 8, ACCESS_WRITE, false);
  }

  /** schedule(): `p = init_task.next_run`, del_from_runqueue(prev) when it sleeps, kstat.context_swtch++ on a switch. */
  schedule(previous: Task | null, dequeued: boolean, switched: boolean): void {
    this.cpu.access(this.schedData + INIT_TASK + TASK_RUN_LINKS, 8, dequeued ? ACCESS_WRITE : ACCESS_READ, false);
    if (dequeued && previous !== null && previous.structPhysical > 0) this.cpu.access(this.linear(previous.structPhysical) + TASK_RUN_LINKS, 8, ACCESS_WRITE, false);
    if (switched) this.cpu.access(this.schedData + KSTAT_CONTEXT_SWITCHES, 4, ACCESS_WRITE, false);
  }
}
