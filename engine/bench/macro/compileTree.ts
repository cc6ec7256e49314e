import { SeededRandom } from '../../base/random';
import { encodeUtf8 } from '../../base/text';
import { COMPILE_PROGRAMS } from '../../userland/compilePrograms';
import { LD_SO_CACHE, SHARED_LIBC, sharedLibcBytes } from '../../userland/dynamicLinking';
import { MACRO_COSTS } from '../../userland/macroParameters';
import { guestBinary } from '../../userland/runtime';
import { GCC_LIB } from '../../userland/toolchain';

/*
 * The program tree of the compile benchmark (SOSP'97 Figure 7 recompiles the L4Linux server, a
 * Linux 2.0 kernel): directories of C files, each with a Makefile (objects, then `ld -r` of the
 * directory), a top-level Makefile running make in each directory and linking vmlinux, and a
 * header tree that the sources include and that include each other. Counts and sizes are the
 * `tree*`, `source*`, `header*` parameters of engine/userland/macroParameters.ts; the file
 * contents are filler C of the right line length (the tools count lines and bytes, they do not
 * parse C). The tool chain's files (gcc's passes and specs, libc.so.5, ld.so.cache) are added.
 */

export const TREE_ROOT = '/usr/src/linux';

/** Directories of the Linux 2.0 build, in the order make visits them (arch: L4Linux's arch/l4). */
export const TREE_DIRECTORIES: readonly string[] = [
  'kernel', 'mm', 'fs', 'fs/ext2', 'fs/proc', 'ipc', 'lib', 'init',
  'drivers/block', 'drivers/char', 'net', 'net/core', 'net/ipv4', 'net/unix', 'arch/l4/kernel', 'arch/l4/mm',
];

/** The compiler command of every object (Linux 2.0 Makefile's CFLAGS, with arch/i386's -pipe). */
export const CC_COMMAND = `gcc -D__KERNEL__ -I${TREE_ROOT}/include -Wall -Wstrict-prototypes -O2 -fomit-frame-pointer -pipe -c`;

/** Filler lines of mean length `lineBytes` adding up to `bytes` (none starts with '#'). */
function filler(random: SeededRandom, bytes: number, word: string): string {
  const mean = MACRO_COSTS.lineBytes;
  const lines: string[] = [];
  for (let size = 0, n = 0; size < bytes; n++) {
    const length = 4 + (random.nextU32() % (2 * mean - 7));
    const line = `\t${word}${n} = ${random.nextU32() % 1000};`.padEnd(length - 1).slice(0, length - 1);
    lines.push(`${line}\n`);
    size += length;
  }
  return lines.join('');
}

function between(random: SeededRandom, low: number, high: number): number {
  return low + (random.nextU32() % (high - low + 1));
}

/** `count` distinct indices in [0, limit), biased to the low ones (the basic headers everything includes). */
function pickHeaders(random: SeededRandom, count: number, limit: number): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, limit)) {
    const u = random.nextU32() / 2 ** 32;
    picked.add(Math.floor(limit * u * u * u));
  }
  return [...picked];
}

/** Include name of header `index` (a fifth are asm headers). */
function headerName(index: number): string {
  return `${index % 5 === 0 ? 'asm' : 'linux'}/h${index}.h`;
}

/** Headers: index → the indices it includes. */
function headerGraph(random: SeededRandom): number[][] {
  const graph: number[][] = [];
  for (let h = 0; h < MACRO_COSTS.treeHeaders; h++) graph.push(pickHeaders(random, MACRO_COSTS.headerIncludes, h));
  return graph;
}

/** Every header `roots` include, directly or not. */
export function headerClosure(graph: readonly (readonly number[])[], roots: readonly number[]): number[] {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    seen.add(h);
    stack.push(...graph[h]);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Number of C files the tree at `scale` compiles (at least two). */
export function compileTreeSources(scale: number): number {
  return Math.max(2, Math.round(MACRO_COSTS.treeSources * scale));
}

/** The directories the tree at `scale` has (as many as the full tree's density of files per directory asks). */
function treeDirectories(scale: number): readonly string[] {
  const count = Math.min(TREE_DIRECTORIES.length, Math.max(1, Math.round(TREE_DIRECTORIES.length * scale)));
  return TREE_DIRECTORIES.slice(0, count);
}

/** The tool chain's files besides /bin: gcc's passes and specs, the shared C library, ld.so.cache. */
function toolchainFiles(random: SeededRandom): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const program of COMPILE_PROGRAMS.filter((p) => p.name === 'cpp' || p.name === 'cc1')) files[`${GCC_LIB}/${program.name}`] = guestBinary(program);
  files[`${GCC_LIB}/specs`] = encodeUtf8(filler(random, 1600, 'spec'));
  const libc = new Uint8Array(sharedLibcBytes());
  for (let i = 0; i < libc.length; i++) libc[i] = (i * 167 + 13) & 0xff;
  files[SHARED_LIBC] = libc;
  files[LD_SO_CACHE] = encodeUtf8(filler(random, 1024, 'lib'));
  return files;
}

/**
 * The files of the tree at `scale` plus the tool chain's: path → content, for the image's
 * `files` boot option. Deterministic for a seed.
 */
export function compileTree(scale: number, seed: number): Record<string, Uint8Array> {
  const random = new SeededRandom(seed);
  const files = toolchainFiles(random);
  const graph = headerGraph(random);
  graph.forEach((includes, h) => {
    const guard = `_H${h}_H`;
    const lines = includes.map((i) => `#include <${headerName(i)}>\n`).join('');
    const body = filler(random, between(random, MACRO_COSTS.headerBytesMin, MACRO_COSTS.headerBytesMax), 'd');
    files[`${TREE_ROOT}/include/${headerName(h)}`] = encodeUtf8(`#ifndef ${guard}\n#define ${guard}\n${lines}${body}#endif\n`);
  });
  const directories = treeDirectories(scale);
  const sources = compileTreeSources(scale);
  const objects: string[][] = directories.map(() => []);
  const rules: string[][] = directories.map(() => []);
  for (let s = 0; s < sources; s++) {
    const d = s % directories.length;
    const roots = pickHeaders(random, MACRO_COSTS.sourceIncludes, MACRO_COSTS.treeHeaders);
    const head = roots.map((h) => `#include <${headerName(h)}>\n`).join('');
    const name = `f${s}`;
    files[`${TREE_ROOT}/${directories[d]}/${name}.c`] = encodeUtf8(head + filler(random, between(random, MACRO_COSTS.sourceBytesMin, MACRO_COSTS.sourceBytesMax), 'v'));
    const depends = headerClosure(graph, roots).map((h) => `${TREE_ROOT}/include/${headerName(h)}`);
    rules[d].push(`${name}.o: ${name}.c ${depends.join(' ')}\n\t${CC_COMMAND} -o ${name}.o ${name}.c\n`);
    objects[d].push(`${name}.o`);
  }
  const linked: string[] = [];
  directories.forEach((directory, d) => {
    const object = `${directory.split('/').pop()}.o`;
    linked.push(`${directory}/${object}`);
    files[`${TREE_ROOT}/${directory}/Makefile`] = encodeUtf8(`${object}: ${objects[d].join(' ')}\n\tld -r -o ${object} ${objects[d].join(' ')}\n${rules[d].join('')}`);
  });
  const descend = directories.map((directory) => `sub-${directory}:\n\tmake -C ${directory} MAKELEVEL=1\n`);
  const top = `vmlinux: ${directories.map((directory) => `sub-${directory}`).join(' ')}\n\tld -o vmlinux ${linked.join(' ')}\n`;
  files[`${TREE_ROOT}/Makefile`] = encodeUtf8([top, ...descend].join(''));
  return files;
}
