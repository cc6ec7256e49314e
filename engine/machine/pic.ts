import type { InterruptController } from './cpu';

/**
 * Two cascaded Intel 8259A PICs as wired in the PC: IRQ 0-7 on the master, 8-15 on the slave
 * (through IRQ 2). Edge-triggered requests, fixed priority (IRQ 0 highest; the slave's lines rank
 * at IRQ 2's place), a mask register, an in-service register cleared by EOI. The vector base is
 * programmed by the kernel (ICW2: Linux uses 0x20). Costs of talking to the PIC over the ISA bus
 * are charged by the kernel's driver code, not here.
 */
export class Pic implements InterruptController {
  /** Interrupt request register: bit n = IRQ n requested. */
  irr = 0;
  /** In-service register. */
  isr = 0;
  /** Interrupt mask register (OCW1). */
  imr = 0;
  masterBase = 0x20;
  slaveBase = 0x28;
  readonly raised = new Uint32Array(16);

  /** ICW2: programs the vector bases. */
  setVectorBases(master: number, slave: number): void {
    this.masterBase = master;
    this.slaveBase = slave;
  }

  /** A device raises (an edge on) line `irq`. */
  raise(irq: number): void {
    if (irq < 0 || irq > 15) throw new RangeError(`IRQ ${irq}`);
    this.irr |= 1 << irq;
    this.raised[irq]++;
  }

  mask(irq: number): void {
    this.imr |= 1 << irq;
  }

  unmask(irq: number): void {
    this.imr &= ~(1 << irq);
  }

  hasPending(): boolean {
    return this.highestPending() >= 0;
  }

  acknowledge(): number {
    const irq = this.highestPending();
    if (irq < 0) return -1;
    this.irr &= ~(1 << irq);
    this.isr |= 1 << irq;
    return irq < 8 ? this.masterBase + irq : this.slaveBase + (irq - 8);
  }

  /** Non-specific EOI for `irq` (to the slave and the master for IRQ 8-15). */
  endOfInterrupt(irq: number): void {
    this.isr &= ~(1 << irq);
  }

  /** IRQ of a vector, or -1 if the vector is not one of the PIC's. */
  irqOfVector(vector: number): number {
    if (vector >= this.masterBase && vector < this.masterBase + 8) return vector - this.masterBase;
    if (vector >= this.slaveBase && vector < this.slaveBase + 8) return vector - this.slaveBase + 8;
    return -1;
  }

  private static readonly PRIORITY = [0, 1, 8, 9, 10, 11, 12, 13, 14, 15, 3, 4, 5, 6, 7];

  private highestPending(): number {
    const candidates = this.irr & ~this.imr;
    if (candidates === 0) return -1;
    for (const irq of Pic.PRIORITY) {
      if ((this.isr & (1 << irq)) !== 0) return -1; // a higher- or equal-priority request is in service
      if ((candidates & (1 << irq)) !== 0) return irq;
    }
    return -1;
  }
}
