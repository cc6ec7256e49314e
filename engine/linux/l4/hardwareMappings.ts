import { FRAME_MASK, PG_PRESENT, PG_WRITABLE } from '../../machine/paging';

/** A page the server has mapped into a user task (the reply to one of its page faults). */
interface HardwareMapping {
  readonly frame: number;
  readonly writable: boolean;
}

/** An `fpage_unmap` the server still has to make on one of its own (1:1) pages. */
export interface PendingUnmap {
  /** Physical = server-virtual address of the page. */
  readonly frame: number;
  /** true: flush (remove) the derived mappings; false: remap them read-only. */
  readonly flush: boolean;
}

/**
 * What the Linux server has mapped into one user task, beside Linux's logical page tables
 * (SOSP'97 §4: the hardware tables stay inside L4; the server "completely controls the Linux
 * user spaces" by mapping and unmapping its own pages). When the personality changes a logical
 * PTE, the server compares it with what the task may still hold in hardware and queues the
 * `fpage_unmap` that makes the hardware agree: a remap (read-only) when only the write right
 * went away (fork's copy-on-write), a flush otherwise. L4 v2 unmaps a page from every space
 * that received it from the server, so another task sharing the frame may lose its mapping
 * too; it faults again and is answered from its own logical tables.
 */
export class UserSpaceMappings {
  private readonly pages = new Map<number, HardwareMapping>();

  /** The server replied to a fault by mapping `frame` at `va`. */
  record(va: number, frame: number, writable: boolean): void {
    this.pages.set(va >>> 12, { frame, writable });
  }

  /**
   * The logical PTE of `va` is now `pte`: returns the unmap needed (or null) and forgets the
   * hardware mapping where it goes away.
   */
  reconcile(va: number, pte: number): PendingUnmap | null {
    const vpn = va >>> 12;
    const held = this.pages.get(vpn);
    if (held === undefined) return null;
    const present = (pte & PG_PRESENT) !== 0;
    if (present && ((pte & FRAME_MASK) >>> 0) === held.frame) {
      if (!held.writable || (pte & PG_WRITABLE) !== 0) return null;
      this.pages.set(vpn, { frame: held.frame, writable: false });
      return { frame: held.frame, flush: false };
    }
    this.pages.delete(vpn);
    return { frame: held.frame, flush: true };
  }

  /** Reconciles every held page against `readPte` (many PTEs changed at once). */
  reconcileAll(readPte: (va: number) => number): PendingUnmap[] {
    const out: PendingUnmap[] = [];
    for (const vpn of [...this.pages.keys()]) {
      const unmap = this.reconcile(vpn * 4096, readPte(vpn * 4096));
      if (unmap !== null) out.push(unmap);
    }
    return out;
  }

  /** Everything was removed in hardware (the task was deleted or recreated). */
  clear(): void {
    this.pages.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}

/** Pending unmaps, one per frame (a flush wins over a remap). */
export class UnmapQueue {
  private readonly byFrame = new Map<number, boolean>();

  add(unmap: PendingUnmap | null): void {
    if (unmap === null) return;
    this.byFrame.set(unmap.frame, (this.byFrame.get(unmap.frame) ?? false) || unmap.flush);
  }

  get length(): number {
    return this.byFrame.size;
  }

  /** Takes every queued unmap. */
  take(): PendingUnmap[] {
    const out = [...this.byFrame].map(([frame, flush]) => ({ frame, flush }));
    this.byFrame.clear();
    return out;
  }
}
