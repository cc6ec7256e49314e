/**
 * One size class of Linux 2.0's kmalloc (mm/kmalloc.c): a page starts with a `page_descriptor`
 * (next, firstfree, order, nfree: 16 bytes) and is cut into blocks of `blockBytes`, each starting
 * with an 8-byte `block_header`; kmalloc returns the address after that header. So objects sit at
 * page offsets 24, 24 + blockBytes, ... — not all at offset 0, which matters to a 2-way L1 whose
 * sets repeat every 4 KB. Pages come from, and go back to, the page allocator.
 */
export class KmallocClass {
  private static readonly PAGE_HEADER = 16;
  private static readonly BLOCK_HEADER = 8;
  private readonly free: number[] = [];
  private readonly inUse = new Map<number, number>();
  private readonly perPage: number;

  constructor(
    readonly blockBytes: number,
    private readonly getPage: () => number,
    private readonly putPage: (page: number) => void,
  ) {
    this.perPage = Math.floor((4096 - KmallocClass.PAGE_HEADER) / blockBytes);
  }

  /** kmalloc: the physical address of a free object, or -1 when no page can be had. */
  allocate(): number {
    if (this.free.length === 0) {
      const page = this.getPage();
      if (page < 0) return -1;
      for (let i = this.perPage - 1; i >= 0; i--) this.free.push(page + KmallocClass.PAGE_HEADER + i * this.blockBytes + KmallocClass.BLOCK_HEADER);
      this.inUse.set(page, 0);
    }
    const object = this.free.pop()!;
    const page = object & ~0xfff;
    this.inUse.set(page, (this.inUse.get(page) ?? 0) + 1);
    return object;
  }

  /** kfree: returns the object; a page whose objects are all free goes back to the page allocator. */
  release(object: number): void {
    const page = object & ~0xfff;
    const count = (this.inUse.get(page) ?? 0) - 1;
    this.free.push(object);
    if (count > 0) {
      this.inUse.set(page, count);
      return;
    }
    this.inUse.delete(page);
    for (let i = this.free.length - 1; i >= 0; i--) if ((this.free[i] & ~0xfff) === page) this.free.splice(i, 1);
    this.putPage(page);
  }
}
