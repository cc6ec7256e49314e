import type { Operation } from '../../machine/executionContext';
import * as E from './errno';
import type { LinuxKernel } from './kernel';
import type { Task, WaitQueue } from './task';
import { HZ } from './syscalls';
import type { OpenFile } from './vfs';

/** What select asks of a file (SEL_IN, SEL_OUT, SEL_EX of include/linux/fs.h). */
export type SelectType = 'in' | 'out' | 'ex';

/**
 * A file's answer to `f_op->select`: ready now, or the wait queue whose wake-up may change that
 * (select_wait); null when the condition can never come true for this file.
 */
export type SelectStatus = true | WaitQueue | null;

/** The largest descriptor count select accepts (NR_OPEN of 2.0 is 256; fd_set holds 256 bits). */
const FD_SETSIZE = 256;
const TYPES: readonly SelectType[] = ['in', 'out', 'ex'];

/** Asks one open file; files without a select operation are always ready (fs/select.c). */
function ask(kernel: LinuxKernel, file: OpenFile, type: SelectType): SelectStatus {
  const select = file.ops.select;
  if (select === undefined) return type === 'ex' ? null : true;
  return select(kernel, file, type);
}

/**
 * sys_select of Linux 2.0 (fs/select.c, the `_newselect` entry): reads the three fd_sets (n bits
 * each, 32-bit words) and the timeval, checks every descriptor (EBADF for a closed one), takes a
 * page for the select table (__get_free_page), and scans descriptors 0..n-1, asking each wanted
 * one through check(): f_op->select with the table, which queues the task on the file's wait
 * queue (select_wait) when it is not ready, then once more without it. After the first ready
 * descriptor, and after the first pass, the table is dropped (no more queueing). With none ready
 * it sleeps until a wake-up, a signal or the timeout and scans again; then frees the table,
 * writes back the ready sets and the time left, and returns how many bits are set.
 */
export function* sysSelect(kernel: LinuxKernel, task: Task, n: number, addresses: readonly number[], timeoutAddress: number): Operation<number> {
  kernel.run('selectBase');
  if ((n | 0) < 0) return -E.EINVAL;
  const count = Math.min(n, FD_SETSIZE);
  const words = Math.ceil(count / 32);
  const wanted: Uint32Array[] = [];
  for (const address of addresses) {
    if (address === 0 || words === 0) {
      wanted.push(new Uint32Array(words));
      continue;
    }
    kernel.run('selectPerSet');
    if (!kernel.verifyArea(task, address, words * 4, true)) return -E.EFAULT;
    const set = yield* kernel.readUserWords(task, address, words);
    if (typeof set === 'number') return set;
    wanted.push(set);
  }
  let ticks: number | null = null;
  if (timeoutAddress !== 0) {
    kernel.run('selectTimeout');
    if (!kernel.verifyArea(task, timeoutAddress, 8, true)) return -E.EFAULT;
    const timeval = yield* kernel.readUserWords(task, timeoutAddress, 2);
    if (typeof timeval === 'number') return timeval;
    if ((timeval[0] | 0) < 0 || (timeval[1] | 0) < 0) return -E.EINVAL;
    ticks = timeval[0] * HZ + Math.ceil(timeval[1] / (1_000_000 / HZ));
  }
  for (let fd = 0; fd < count; fd++) {
    const bit = 1 << (fd & 31);
    if (wanted.some((set) => (set[fd >> 5] & bit) !== 0) && kernel.fileOf(task, fd) === null) return -E.EBADF;
  }
  const deadline = ticks === null ? null : kernel.jiffies + ticks;
  const table = kernel.mm.allocate(false);
  if (table < 0) return -E.ENOMEM;
  const ready = wanted.map(() => new Uint32Array(words));
  let found = 0;
  // the queues select_wait put us on; after the first pass the table is dropped (wait = NULL)
  // and the task stays queued until free_wait
  const queues: WaitQueue[] = [];
  let waiting = true;
  try {
    for (;;) {
      for (let fd = 0; fd < count; fd++) {
        const bit = 1 << (fd & 31);
        const file = kernel.fileOf(task, fd);
        kernel.run('selectPerFd');
        TYPES.forEach((type, index) => {
          if ((wanted[index][fd >> 5] & bit) === 0 || file === null) return;
          kernel.run('selectCheck');
          const status = ask(kernel, file, type);
          if (status === true) {
            ready[index][fd >> 5] |= bit;
            found++;
            waiting = false;
          } else if (status !== null && waiting) {
            // select_wait queued us; check() asks once more without the table (nothing ran in
            // between, so the answer is the same)
            kernel.run('selectWait');
            queues.push(status);
            ask(kernel, file, type);
          }
        });
      }
      waiting = false;
      if (found > 0 || (deadline !== null && kernel.jiffies >= deadline)) break;
      if (task.hasPendingSignal()) return -E.EINTR;
      yield* kernel.sleepOnQueues(task, queues, deadline);
    }
  } finally {
    kernel.mm.put(table);
  }
  for (let index = 0; index < addresses.length; index++) {
    if (addresses[index] === 0 || words === 0) continue;
    const written = yield* kernel.writeUserWords(task, addresses[index], [...ready[index]]);
    if (written < 0) return written;
  }
  if (timeoutAddress !== 0 && deadline !== null) {
    const left = Math.max(0, deadline - kernel.jiffies);
    const written = yield* kernel.writeUserWords(task, timeoutAddress, [Math.floor(left / HZ), (left % HZ) * (1_000_000 / HZ)]);
    if (written < 0) return written;
  }
  return found;
}
