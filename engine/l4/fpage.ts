import { BitLayout } from '../base/bitField';

/**
 * Flexpages (L4ENV@f68bf96 `types.h`): a naturally aligned region of 2^size bytes, 4 KB up to the
 * whole space (size 32). In a map item the grant bit makes the page move instead of being
 * shared; the write bit grants write access. I/O fpages (top nibble 0xF) name port ranges.
 */
export const FPAGE = new BitLayout('fpage', {
  grant: { shift: 0, width: 1 },
  write: { shift: 1, width: 1 },
  size: { shift: 2, width: 6 },
  zero: { shift: 8, width: 4 },
  page: { shift: 12, width: 20 },
});

/** I/O flexpages: 2^size ports from `port`, marked by 0xF in the top nibble. */
export const IO_FPAGE = new BitLayout('ioFpage', {
  grant: { shift: 0, width: 1 },
  write: { shift: 1, width: 1 },
  size: { shift: 2, width: 6 },
  zero: { shift: 8, width: 4 },
  port: { shift: 12, width: 16 },
  ioMarker: { shift: 28, width: 4 },
});

/** fpage size that names the whole address space. */
export const FPAGE_WHOLE_SPACE = 32;
/** Smallest memory fpage: one 4 KB page. */
export const FPAGE_MIN_SIZE = 12;

/** An fpage word. `address` is rounded down to the 2^size boundary. */
export function fpage(address: number, size: number, write = true, grant = false): number {
  const aligned = size >= 32 ? 0 : Math.floor((address >>> 0) / 2 ** size) * 2 ** size;
  return ((aligned & 0xfffff000) | ((size & 0x3f) << 2) | (write ? 2 : 0) | (grant ? 1 : 0)) >>> 0;
}

/** An I/O fpage of 2^size ports from `port`. */
export function ioFpage(port: number, size: number, write = true): number {
  return IO_FPAGE.encode({ ioMarker: 0xf, port, size, write: write ? 1 : 0 });
}

/** log2 of the fpage's size in bytes. */
export function fpageSize(word: number): number {
  return (word >>> 2) & 0x3f;
}

/** Base address of an fpage (0 for the whole space). */
export function fpageBase(word: number): number {
  const size = fpageSize(word);
  if (size >= 32) return 0;
  return Math.floor(((word & 0xfffff000) >>> 0) / 2 ** size) * 2 ** size;
}

/** Size of the fpage in bytes. */
export function fpageBytes(word: number): number {
  return 2 ** Math.min(32, fpageSize(word));
}

/** Whether the fpage grants write access. */
export function fpageWritable(word: number): boolean {
  return (word & 2) !== 0;
}

/** Whether the fpage is granted (moved) rather than mapped. */
export function fpageGrant(word: number): boolean {
  return (word & 1) !== 0;
}

/** Whether the word is an I/O fpage. */
export function isIoFpage(word: number): boolean {
  return word >>> 28 === 0xf && fpageSize(word) <= 16;
}

/** A memory fpage is valid when its size is 12..32 (smaller sizes describe no page). */
export function fpageValid(word: number): boolean {
  const size = fpageSize(word);
  return size >= FPAGE_MIN_SIZE && size <= FPAGE_WHOLE_SPACE;
}

/** fpage_unmap map-mask bits: flush (else remap read-only), and include the caller's own space. */
export const UNMAP_FLUSH = 0x2;
/** fpage_unmap mask bit: unmap from the caller's own space too. */
export const UNMAP_ALL_SPACES = 0x80000000;
