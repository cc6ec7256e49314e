import type { Thread } from './thread';

/**
 * Interrupt attachment (SOSP'97 §3: "the kernel turns an interrupt into a message to the
 * associated thread"). Each IRQ line has at most one attached thread; an interrupt that arrives
 * while that thread is not waiting for it stays pending (counted) until the thread's next receive.
 */
export class Interrupts {
  private readonly attached: Array<Thread | null> = new Array(16).fill(null);
  private readonly pending = new Int32Array(16);

  attachedTo(irq: number): Thread | null {
    return this.attached[irq];
  }

  /** Attaches `thread` to `irq`; false if another live thread holds it. */
  attach(irq: number, thread: Thread): boolean {
    const holder = this.attached[irq];
    if (holder !== null && holder !== thread && holder.task.alive && holder.active) return false;
    this.attached[irq] = thread;
    return true;
  }

  detachAll(thread: Thread): void {
    for (let irq = 0; irq < 16; irq++) if (this.attached[irq] === thread) this.attached[irq] = null;
  }

  /** Records an interrupt that could not be delivered at once. */
  markPending(irq: number): void {
    this.pending[irq]++;
  }

  /** Takes one pending interrupt of `irq`, if any. */
  takePending(irq: number): boolean {
    if (this.pending[irq] === 0) return false;
    this.pending[irq]--;
    return true;
  }
}
