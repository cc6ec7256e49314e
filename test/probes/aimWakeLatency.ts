/**
 * How long a user the disk wakes waits for the CPU during an AIM run, per system: every disk
 * sleep (wait_on_buffer, page reads, sync and fsync waits) between AIM's start and stop marks,
 * timed from wake_up_process to the moment the task runs again, with the run's idle share.
 *   npx tsx test/probes/aimWakeLatency.ts [USERS] [SYSTEM...]   (default: 4 users, linux l4linux)
 * Native 2.0 preempts the running task only for a woken task whose counter is more than 3 above
 * its own (add_to_runqueue); L4Linux's server reply IPC switches to the woken user at once.
 */
import { CYCLE_CATEGORIES } from '../../engine/base/cycleCategory';
import type { LinuxKernel } from '../../engine/linux/core/kernel';
import type { Task } from '../../engine/linux/core/task';
import { bootLinuxSystem } from '../../engine/linux/systems';

const argv = process.argv.slice(2);
const users = argv.length > 0 && /^\d+$/.test(argv[0]) ? Number(argv.shift()) : 4;
const systems = argv.length > 0 ? argv : ['linux', 'l4linux'];
const BUCKETS_MS = [0.1, 1, 10, 50, Infinity];

for (const system of systems) {
  const booted = bootLinuxSystem(system, { initArgs: ['sh', '-c', `aim -f 0.1 ${users}`] });
  const machine = booted.machine;
  const kernel: LinuxKernel = booted.kernel;
  const msPerCycle = 1 / (machine.parameters.clockMHz * 1e3);
  const wokenAt = new Map<Task, number>();
  const wakeUpProcess = kernel.wakeUpProcess.bind(kernel);
  kernel.wakeUpProcess = (task: Task) => {
    if (task.state === 'uninterruptible' && !wokenAt.has(task)) wokenAt.set(task, machine.scheduler.now);
    wakeUpProcess(task);
  };
  const sleep = kernel.disk.sleep.bind(kernel.disk);
  let measuring = false;
  const latencies: number[] = [];
  kernel.disk.sleep = function* (task: Task | null) {
    if (task !== null) wokenAt.delete(task);
    yield* sleep(task);
    const woken = task === null ? undefined : wokenAt.get(task);
    if (task !== null) wokenAt.delete(task);
    if (measuring && woken !== undefined) latencies.push((machine.scheduler.now - woken) * msPerCycle);
  };
  const idleIndex = CYCLE_CATEGORIES.indexOf('idle');
  let start = { cycles: 0, idle: 0 };
  let stop = { cycles: 0, idle: 0 };
  booted.runtime.onMark = (label) => {
    const now = { cycles: machine.scheduler.now, idle: machine.accounting.byCategory[idleIndex] };
    if (label === 'start') [measuring, start] = [true, now];
    if (label === 'stop') [measuring, stop] = [false, now];
  };
  booted.run(600 * machine.parameters.clockMHz * 1e6);
  const counts = BUCKETS_MS.map((limit, i) => latencies.filter((ms) => ms < limit && (i === 0 || ms >= BUCKETS_MS[i - 1])).length);
  const mean = latencies.reduce((sum, ms) => sum + ms, 0) / Math.max(1, latencies.length);
  console.log(`${system}, ${users} users: idle ${((100 * (stop.idle - start.idle)) / (stop.cycles - start.cycles)).toFixed(1)} %, ${latencies.length} disk wake-ups, wake → run mean ${mean.toFixed(3)} ms, max ${Math.max(0, ...latencies).toFixed(1)} ms`);
  console.log(`  ${BUCKETS_MS.map((limit, i) => `${i === 0 ? '' : `≥${BUCKETS_MS[i - 1]} `}<${limit} ms: ${counts[i]}`).join(', ')}`);
}
