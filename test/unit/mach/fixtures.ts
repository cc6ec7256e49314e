import { Machine } from '../../../engine/machine/machine';
import { MachKernel, type GuestBody } from '../../../engine/mach/machKernel';
import type { Thread } from '../../../engine/mach/thread';

/** A 16 MB machine with a booted Mach kernel. */
export function bootMach(): { machine: Machine; kernel: MachKernel } {
  const machine = new Machine({ parameters: { memoryMB: 16 } });
  const kernel = new MachKernel(machine);
  return { machine, kernel };
}

/** Runs until every thread has finished or blocked for good; throws a thread's failure. */
export function runToIdle(kernel: MachKernel, budget = 2_000_000_000): void {
  const outcome = kernel.run(() => false, budget);
  const failed = kernel.tasks.flatMap((t) => t.threads).find((t) => t.context.failure !== undefined);
  if (outcome === 'failed') {
    const context = kernel.cpu.current ?? kernel.tasks.flatMap((t) => t.threads).map((t) => t.context).find((c) => c.failure !== undefined);
    throw (context?.failure as Error) ?? new Error('a context failed');
  }
  if (failed) throw failed.context.failure;
  if (outcome !== 'idle' && outcome !== 'noContext') throw new Error(`run ended with ${outcome}`);
}

/** Starts a task running `body` and returns its main thread. */
export function start(kernel: MachKernel, name: string, body: GuestBody): Thread {
  return kernel.startTask(name, body);
}
