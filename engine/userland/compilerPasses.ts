import { decodeUtf8 } from '../base/text';
import type { Operation } from '../machine/executionContext';
import { NR, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../linux/core/syscalls';
import { touchText } from './dynamicLinking';
import { IO_BLOCK, writeFile } from './fileHelpers';
import { HeapArena } from './heapArena';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import { StdioWriter } from './stdioWriter';
import { fail, GCC_LIB, instructions, operands, optionValues, tool } from './toolchain';

const KB = 1024;

/*
 * The three passes gcc 2.7.2 runs per C file: cpp (preprocess), cc1 (compile to assembler
 * text), as (assemble). Each reads its input through the file system or a pipe and writes its
 * output the same way, in stdio blocks; their own work is compute per byte or per line
 * (engine/userland/macroParameters.ts), their memory a heap grown with brk.
 */

/** `#include <NAME>` or `#include "NAME"` of a line: [quoted, NAME], or null. */
export function includeOf(line: string): [boolean, string] | null {
  const match = /^#\s*include\s+([<"])([^>"]+)[>"]/.exec(line);
  return match === null ? null : [match[1] === '"', match[2]];
}

/** Opens the first of `candidates` that exists: [fd or -errno, path]. */
function* openFirst(libc: Libc, candidates: readonly string[]): Operation<[number, string]> {
  let result = -2;
  for (const path of candidates) {
    result = yield* libc.open(path, O_RDONLY);
    if (result >= 0) return [result, path];
  }
  return [result, ''];
}

/** Output file descriptor for `path` (`-` or none: stdout). */
function* openOutput(libc: Libc, path: string | undefined): Operation<number> {
  return path === undefined || path === '-' ? 1 : yield* libc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
}

/**
 * Reads `input` (a file, or stdin for `-`) a stdio block at a time into `buffer`, calling
 * `block` with each block's length; `block` returns 0 to go on or a failure status. Returns 0
 * at end of file, or the status of the failure.
 */
function* eachBlock(libc: Libc, name: string, input: string, buffer: number, block: (bytes: number) => Operation<number>): Operation<number> {
  const fd = input === '-' ? 0 : yield* libc.open(input, O_RDONLY);
  if (fd < 0) return yield* fail(libc, `${name}: ${input}`, fd);
  let status = 0;
  while (status === 0) {
    const n = yield* libc.read(fd, buffer, IO_BLOCK);
    if (n === -4) continue; // EINTR
    if (n <= 0) {
      if (n < 0) status = yield* fail(libc, `${name}: read`, n);
      break;
    }
    status = yield* block(n);
  }
  if (fd !== 0) yield* libc.close(fd);
  return status;
}

/**
 * cpp [-I DIR]... SOURCE [OUTPUT]: cccp as gcc 2.7.2 ran it. Each file is opened by trying the
 * include directories in order, fstat'ed and read whole into a malloc'd buffer; directives are
 * consumed, other lines copied to the output with `# LINE "FILE"` markers; a header is
 * processed once (cccp skips a file whose #ifndef wrapper is already defined).
 */
const cpp = tool('cpp', 96 * KB, function* (libc: Libc, argv: string[]): Operation<number> {
  const [source, output] = operands(argv);
  if (source === undefined) return yield* fail(libc, 'usage: cpp [-I DIR]... SOURCE [OUTPUT]', -22);
  const searchPath = [...optionValues(argv, '-I'), `${GCC_LIB}/include`, '/usr/include'];
  const out = yield* openOutput(libc, output);
  if (out < 0) return yield* fail(libc, `cpp: ${output}`, out);
  const writer = new StdioWriter(libc, out, yield* libc.malloc(IO_BLOCK));
  const heap = yield* HeapArena.open(libc);
  const seen = new Set<string>();
  const statBuffer = libc.scratch + 3800;
  const include = function* (candidates: readonly string[]): Operation<number> {
    const [fd, path] = yield* openFirst(libc, candidates);
    if (fd < 0) return fd;
    seen.add(path);
    const stat = yield* libc.syscall(NR.fstat, fd, statBuffer);
    const size = stat < 0 ? 0 : yield* libc.loadWord(statBuffer + 20);
    if (size > heap.size && !(yield* heap.grow(size - heap.size))) return -12;
    const buffer = heap.base; // realloc'd in place: the buffer is all of cpp's heap
    let read = 0;
    while (read < size) {
      const n = yield* libc.read(fd, buffer + read, size - read);
      if (n <= 0) break;
      read += n;
    }
    yield* libc.close(fd);
    const text = decodeUtf8(yield* libc.load(buffer, read));
    yield* libc.compute(instructions(libc, MACRO_COSTS.preprocessPerByte * read));
    let pending = `# 1 "${path}"\n`;
    const lines = text.split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n];
      if (!line.startsWith('#')) {
        if (line.length > 0) pending += `${line}\n`;
        continue;
      }
      const wanted = includeOf(line);
      if (wanted === null) continue;
      const [quoted, name] = wanted;
      const here = path.slice(0, path.lastIndexOf('/') + 1);
      const candidates = (quoted ? [here, ...searchPath.map((d) => `${d}/`)] : searchPath.map((d) => `${d}/`)).map((d) => `${d}${name}`);
      if (candidates.some((c) => seen.has(c))) continue;
      yield* writer.put(pending);
      const status = yield* include(candidates);
      if (status < 0) return status;
      pending = `# ${n + 2} "${path}" 2\n`;
    }
    yield* writer.put(pending);
    return 0;
  };
  const status = yield* include([source]);
  yield* writer.flush();
  if (out !== 1) yield* libc.close(out);
  if (status < 0) return yield* fail(libc, `cpp: ${source}`, status);
  return writer.error < 0 ? yield* fail(libc, 'cpp: write', writer.error) : 0;
});

/** Assembler text of `bytes` bytes (its content does not matter to as, only its size). */
const ASM_LINES = '\tmovl 8(%esp),%eax\n\taddl %edx,%eax\n\tjmp .L4\n\tpushl %ebx\n\tleal 4(%ecx),%edx\n';

function assemblerText(bytes: number): string {
  return ASM_LINES.repeat(Math.ceil(bytes / ASM_LINES.length)).slice(0, bytes);
}

/**
 * cc1 [INPUT|-] -o OUTPUT|-: reads preprocessed text a block at a time, parses it (header lines:
 * declarations; lines of the C file itself: function bodies, compiled at -O2 and written out
 * as assembler text as it goes), growing its obstacks on the heap.
 */
const cc1 = tool('cc1', MACRO_COSTS.cc1TextBytes, function* (libc: Libc, argv: string[]): Operation<number> {
  const output = argv.includes('-o') ? argv[argv.indexOf('-o') + 1] : '-';
  const out = yield* openOutput(libc, output);
  if (out < 0) return yield* fail(libc, `cc1: ${output}`, out);
  const buffer = yield* libc.malloc(IO_BLOCK);
  const writer = new StdioWriter(libc, out, yield* libc.malloc(IO_BLOCK));
  const heap = yield* HeapArena.open(libc);
  let mainFile: string | null = null;
  let inMain = false;
  let passesRun = false;
  let partial = '';
  let assembly = 0;
  const status = yield* eachBlock(libc, 'cc1', operands(argv)[0] ?? '-', buffer, function* (n) {
    const lines = (partial + decodeUtf8(yield* libc.load(buffer, n))).split('\n');
    partial = lines.pop() ?? '';
    let headerLines = 0;
    let sourceLines = 0;
    for (const line of lines) {
      const marker = /^# \d+ "([^"]+)"/.exec(line);
      if (marker !== null) {
        mainFile ??= marker[1];
        inMain = marker[1] === mainFile;
      } else if (inMain) sourceLines++;
      else headerLines++;
    }
    if (sourceLines > 0 && !passesRun) {
      passesRun = true; // the first function body runs the optimizer, register allocator and final
      yield* touchText(libc, MACRO_COSTS.cc1TextBytes, 0.5, 1);
    }
    yield* libc.compute(instructions(libc, MACRO_COSTS.compilePerHeaderLine * headerLines + MACRO_COSTS.compilePerSourceLine * sourceLines));
    if (!(yield* heap.grow(MACRO_COSTS.cc1HeapPerHeaderLine * headerLines + MACRO_COSTS.cc1HeapPerSourceLine * sourceLines))) return yield* fail(libc, 'cc1: virtual memory exhausted', -12);
    assembly += MACRO_COSTS.assemblyPerSourceLine * sourceLines;
    if (assembly >= 1) {
      yield* writer.put(assemblerText(Math.floor(assembly)));
      assembly -= Math.floor(assembly);
    }
    return 0;
  });
  yield* writer.flush();
  if (out !== 1) yield* libc.close(out);
  if (status !== 0) return status;
  return writer.error < 0 ? yield* fail(libc, 'cc1: write', writer.error) : 0;
}, 0.5);

/** as -o OBJECT [INPUT|-]: reads assembler text a block at a time, assembles, writes the object. */
const as = tool('as', 170 * KB, function* (libc: Libc, argv: string[]): Operation<number> {
  const output = argv.includes('-o') ? argv[argv.indexOf('-o') + 1] : 'a.out';
  const buffer = yield* libc.malloc(IO_BLOCK);
  const heap = yield* HeapArena.open(libc);
  let total = 0;
  const status = yield* eachBlock(libc, 'as', operands(argv)[0] ?? '-', buffer, function* (n) {
    yield* libc.touch(buffer, n);
    yield* libc.compute(instructions(libc, MACRO_COSTS.assemblePerByte * n));
    total += n;
    return (yield* heap.grow(MACRO_COSTS.asHeapPerByte * n)) ? 0 : yield* fail(libc, 'as: virtual memory exhausted', -12);
  });
  if (status !== 0) return status;
  const written = yield* writeFile(libc, output, buffer, Math.round(MACRO_COSTS.objectPerAssemblyByte * total));
  return written < 0 ? yield* fail(libc, `as: ${output}`, written) : 0;
});

/** The passes the gcc driver runs. */
export const COMPILER_PASSES = [cpp, cc1, as] as const;
