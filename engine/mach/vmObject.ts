import type { Port } from './port';
import type { Thread } from './thread';

/**
 * A VM object (vm/vm_object.h): a sparse array of resident pages, either anonymous (internal,
 * zero-filled on first touch) or backed by an external memory manager (`pager`, a port to which
 * the kernel sends memory_object_data_request and from whose `control` port it takes
 * memory_object_data_provided). Copy-on-write is done with shadow chains: a shadow object holds
 * the pages written since the copy and finds the others in `shadow` at `shadowOffset`.
 */
export class VmObject {
  /** page index within the object → physical frame */
  readonly pages = new Map<number, number>();
  /** Pages requested from the pager and not yet supplied: page index → threads waiting. */
  readonly pending = new Map<number, Thread[]>();
  /** Pages the pager answered with an error. */
  readonly errors = new Set<number>();
  /**
   * Pages the pager supplied write-locked (lock_value VM_PROT_WRITE): a write fault on one sends
   * memory_object_data_unlock instead of mapping the page writable.
   */
  readonly writeLocked = new Set<number>();
  /**
   * The pages were supplied by reference (memory_object_data_supply of the pager's own pages):
   * the frames belong to the pager's memory and are not freed with the object.
   */
  borrowed = false;
  references = 1;
  pagerInitialized = false;

  constructor(
    readonly address: number,
    readonly id: number,
    public size: number,
    public shadow: VmObject | null = null,
    public shadowOffset = 0,
    public pager: Port | null = null,
    public control: Port | null = null,
  ) {}

  get internal(): boolean {
    return this.pager === null;
  }
}
