/**
 * Laying a kernel's paths out in its text as its link does, the same method for every kernel
 * whose sources the model reads (OSF MK: engine/mach/kernelTextLayout.ts; Linux 2.0:
 * engine/linux/core/kernelTextLayout.ts): object files end to end in link order, each as large as
 * its source gives, and each path's code divided between the functions its row names, each share
 * at its function's place in its own file. The kernels keep their own link orders, parameters and
 * what the sources leave open (drawn for OSF MK; for Linux, fixed unless a what-if draws another
 * build); the shared steps are here.
 */

/** One object file of a link: its source file(s) and their lengths in characters. */
export interface LinkedObject {
  /** Source path in the kernel tree (an object of several sources: its main one). */
  readonly file: string;
  /** Characters of each source file assembled into this object; none: not read (sized otherwise). */
  readonly chars?: readonly number[];
  /** Hand-written assembly (sized with the kernel's assembly bytes per character). */
  readonly assembly?: true;
}

/** A part of a kernel path's code: the file and function it runs in and its share of the path's instructions. */
export interface PathFunction {
  readonly file: string;
  /** The function, if its place is known or may be read; none: placed where the kernel puts unknown places. */
  readonly fn?: string;
  /** Instructions the row's source text attributes to this part (relative weight). */
  readonly instructions: number;
}

/** A part of a path with its instructions, or one share of the row when its text gives none. */
export const pathFunction = (file: string, fn: string | undefined, instructions = 1): PathFunction =>
  fn === undefined ? { file, instructions } : { file, fn, instructions };

/**
 * Splits `lines` whole lines over weights in proportion (largest remainders, the earlier part on a
 * tie): how a path's code divides between the functions its row names.
 */
export function apportion(lines: number, weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const exact = weights.map((w) => (lines * w) / total);
  const shares = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ rest: x - Math.floor(x), i })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  const left = lines - shares.reduce((sum, n) => sum + n, 0);
  for (let k = 0; k < left; k++) shares[order[k].i]++;
  return shares;
}

/** FNV-1a hash of a file name: mixed with a link-map seed, the file's own generator (a change to one file's draws moves no other file's). */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Text bytes of `chars` characters of source, its first `headerChars` (copyright block, includes) not counted. */
export function sourceTextBytes(chars: number, headerChars: number, bytesPerChar: number): number {
  return Math.max(0, chars - headerChars) * bytesPerChar;
}

/**
 * Places runs of whole lines in one object file: each at its `target` offset rounded down to a
 * line, in the order of their targets (the earlier run first on a tie), a run that would overlap
 * the one before it moved up behind it, so distinct runs never overlap. Runs of one `key` (the
 * same code run by several paths: a function's fast path that several rows call) share one place,
 * as long as the longest of them; a run without a key is code of its own. Returns each run's offset
 * in the file (in the order given) and the end of the last place (the file grows to it if its
 * runs overfill it).
 */
export function placeRuns(
  bytes: readonly number[],
  targets: readonly number[],
  line: number,
  keys: readonly (string | undefined)[] = [],
): { offsets: number[]; end: number } {
  const places: { first: number; target: number; bytes: number; runs: number[] }[] = [];
  const byKey = new Map<string, (typeof places)[number]>();
  bytes.forEach((runBytes, i) => {
    const key = keys[i];
    const shared = key === undefined ? undefined : byKey.get(key);
    if (shared !== undefined) {
      shared.bytes = Math.max(shared.bytes, runBytes);
      shared.runs.push(i);
      return;
    }
    const place = { first: i, target: Math.floor(targets[i] / line) * line, bytes: runBytes, runs: [i] };
    places.push(place);
    if (key !== undefined) byKey.set(key, place);
  });
  places.sort((a, b) => a.target - b.target || a.first - b.first);
  const offsets = new Array<number>(bytes.length);
  let cursor = 0;
  for (const place of places) {
    const at = Math.max(place.target, cursor);
    for (const i of place.runs) offsets[i] = at;
    cursor = at + place.bytes;
  }
  return { offsets, end: cursor };
}
