import { SeededRandom } from '../../base/random';
import { encodeUtf8 } from '../../base/text';

/**
 * The program tree of the compile benchmark (SOSP'97 Figure 7 recompiles the L4Linux server):
 * C sources that each include several of a set of shared headers, and a Makefile that builds an
 * object per source and links them. Sizes follow the Linux 2.0 tree: sources of 4-20 KB, headers
 * of 2-8 KB, each source including 6 of them.
 */
export interface CompileTreeShape {
  /** Number of C sources at scale 1. */
  readonly sources: number;
  readonly headers: number;
  readonly includesPerSource: number;
  readonly sourceBytes: readonly [number, number];
  readonly headerBytes: readonly [number, number];
}

/** The full-size tree: about the number of C files of the Linux 2.0 kernel proper (kernel, mm, fs, ipc, arch). */
export const FULL_TREE: CompileTreeShape = { sources: 120, headers: 32, includesPerSource: 6, sourceBytes: [4096, 20480], headerBytes: [2048, 8192] };

export const TREE_ROOT = '/src';

/** Filler C text of `bytes` bytes (its content does not matter to the tools, only its size). */
function filler(random: SeededRandom, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const line = `static int f${n}(int a) { return a * ${random.nextU32() % 1000} + ${n}; }\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('').slice(0, bytes);
}

function between(random: SeededRandom, [low, high]: readonly [number, number]): number {
  return low + (random.nextU32() % (high - low + 1));
}

/**
 * The files of the tree at `scale` (at least two sources): path → content, for the image's
 * `files` boot option. Deterministic for a seed.
 */
export function compileTree(scale: number, seed: number, shape: CompileTreeShape = FULL_TREE): Record<string, Uint8Array> {
  const random = new SeededRandom(seed);
  const files: Record<string, Uint8Array> = {};
  const sources = compileTreeSources(scale, shape);
  for (let h = 0; h < shape.headers; h++) files[`${TREE_ROOT}/include/h${h}.h`] = encodeUtf8(filler(random, between(random, shape.headerBytes)));
  const rules: string[] = [];
  const objects: string[] = [];
  for (let s = 0; s < sources; s++) {
    const includes = new Set<number>();
    while (includes.size < Math.min(shape.includesPerSource, shape.headers)) includes.add(random.nextU32() % shape.headers);
    const head = [...includes].map((h) => `#include "h${h}.h"\n`).join('');
    files[`${TREE_ROOT}/f${s}.c`] = encodeUtf8(head + filler(random, between(random, shape.sourceBytes)));
    rules.push(`f${s}.o: f${s}.c\n\tcc -c f${s}.c -o f${s}.o -I include\n`);
    objects.push(`f${s}.o`);
  }
  const link = `image: ${objects.join(' ')}\n\tld -o image ${objects.join(' ')}\n`;
  files[`${TREE_ROOT}/Makefile`] = encodeUtf8([link, ...rules].join(''));
  return files;
}

/** Number of objects the tree at `scale` builds (its sources). */
export function compileTreeSources(scale: number, shape: CompileTreeShape = FULL_TREE): number {
  return Math.max(2, Math.round(shape.sources * scale));
}
