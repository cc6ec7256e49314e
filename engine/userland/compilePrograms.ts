import type { Operation } from '../machine/executionContext';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, S_IFDIR, S_IFMT } from '../linux/core/syscalls';
import { COMPILER_PASSES } from './compilerPasses';
import { IO_BLOCK, readFile, runProgram, writeFile } from './fileHelpers';
import { HeapArena } from './heapArena';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import { MAKE } from './makeProgram';
import { exitStatus } from './programs';
import type { GuestProgram } from './runtime';
import { fail, GCC_LIB, instructions, operands, tool } from './toolchain';

const KB = 1024;

/*
 * The compile workload of SOSP'97 Figure 7 (recompiling the Linux server) as the GNU tool chain
 * of 1996 ran it: make forks the gcc driver per object; the driver forks cpp, cc1 and as (with
 * -pipe, as Linux 2.0's arch/i386/Makefile asks, connected by pipes and running together),
 * each exec'd from the file system, dynamically linked against libc.so.5 and demand-paged;
 * make links each directory with ld -r and the whole with ld. Binary sizes are those of the
 * i386 ELF tools of the time, rounded.
 */

/** Where the gcc 2.7.2 driver looks for its passes, in order (its exec prefixes, then PATH). */
export const EXEC_PREFIXES: readonly string[] = [GCC_LIB, '/usr/lib/gcc-lib/i486-linux', '/usr/i486-linux/bin', '/usr/bin', '/bin'];

/** The driver's search for a pass: the first prefix where stat finds it, or null. */
function* findPass(libc: Libc, name: string): Operation<string | null> {
  for (const prefix of EXEC_PREFIXES) {
    const [found] = yield* libc.stat(`${prefix}/${name}`);
    if (found >= 0) return `${prefix}/${name}`;
  }
  return null;
}

/** fork, then in the child: `redirect` (dup2/close), execve. Returns the child's pid or -errno. */
function* spawn(libc: Libc, path: string, argv: readonly string[], redirect: (child: Libc) => Operation<void>): Operation<number> {
  return yield* libc.fork(function* (child: Libc): Operation<number> {
    yield* redirect(child);
    const result = yield* child.execve(path, argv);
    yield* child.print(2, `gcc: installation problem, cannot exec ${path}: error ${result}\n`);
    return 127;
  });
}

/** Waits for every pid; the first non-zero exit status (or 0). */
function* waitAll(libc: Libc, pids: readonly number[]): Operation<number> {
  let status = 0;
  for (const pid of pids) {
    const [done, word] = yield* libc.waitpid(pid);
    const exit = done < 0 ? 1 : exitStatus(word);
    if (status === 0) status = exit;
  }
  return status;
}

/** cpp | cc1 | as, all three running, connected by two pipes (gcc -pipe). */
function* compilePiped(libc: Libc, passes: readonly string[], cppArgs: readonly string[], object: string): Operation<number> {
  const [toCc1Read, toCc1Write] = yield* libc.pipe();
  if (toCc1Read < 0) return toCc1Read;
  const [toAsRead, toAsWrite] = yield* libc.pipe();
  const pipes = [toCc1Read, toCc1Write, toAsRead, toAsWrite].filter((fd) => fd >= 0);
  const pids: number[] = [];
  if (toAsRead >= 0) {
    const stages: ReadonlyArray<readonly [string, readonly string[], number, number]> = [
      [passes[0], [...cppArgs, '-'], -1, toCc1Write],
      [passes[1], ['cc1', '-', '-quiet', '-O2', '-o', '-'], toCc1Read, toAsWrite],
      [passes[2], ['as', '-o', object, '-'], toAsRead, -1],
    ];
    for (const [path, argv, input, output] of stages) {
      pids.push(yield* spawn(libc, path, argv, function* (child) {
        if (input >= 0) yield* child.dup2(input, 0);
        if (output >= 0) yield* child.dup2(output, 1);
        for (const fd of pipes) yield* child.close(fd);
      }));
    }
  }
  for (const fd of pipes) yield* libc.close(fd);
  const status = yield* waitAll(libc, pids.filter((pid) => pid > 0));
  return toAsRead < 0 ? toAsRead : (pids.find((pid) => pid < 0) ?? status);
}

/** cpp, cc1, as one after the other through temporary files in /tmp (gcc without -pipe). */
function* compileThroughFiles(libc: Libc, passes: readonly string[], cppArgs: readonly string[], object: string): Operation<number> {
  const temporary = `/tmp/cc${yield* libc.getpid()}`;
  let status = yield* runProgram(libc, passes[0], [...cppArgs, `${temporary}.i`]);
  if (status === 0) status = yield* runProgram(libc, passes[1], ['cc1', `${temporary}.i`, '-quiet', '-O2', '-o', `${temporary}.s`]);
  if (status === 0) status = yield* runProgram(libc, passes[2], ['as', '-o', object, `${temporary}.s`]);
  yield* libc.unlink(`${temporary}.i`);
  yield* libc.unlink(`${temporary}.s`);
  return status;
}

/** gcc [-D...] [-I DIR]... [-O2] [-pipe] -c [-o OBJECT] SOURCE: the gcc 2.7.2 driver. */
const gcc = tool('gcc', 72 * KB, function* (libc: Libc, argv: string[]): Operation<number> {
  const [source] = operands(argv);
  if (!argv.includes('-c') || source === undefined || !source.endsWith('.c')) return yield* fail(libc, 'usage: gcc [-I DIR]... [-pipe] -c [-o OBJECT] SOURCE.c', -22);
  const object = argv.includes('-o') ? argv[argv.indexOf('-o') + 1] : `${source.slice(0, -2)}.o`;
  const buffer = yield* libc.malloc(IO_BLOCK);
  const specs = yield* readFile(libc, `${GCC_LIB}/specs`, buffer);
  if (specs.bytes < 0) return yield* fail(libc, `gcc: ${GCC_LIB}/specs`, specs.bytes);
  yield* libc.compute(instructions(libc, MACRO_COSTS.driverWork));
  const passes: string[] = [];
  for (const name of ['cpp', 'cc1', 'as']) {
    const path = yield* findPass(libc, name);
    if (path === null) return yield* fail(libc, `gcc: installation problem, cannot exec ${name}`, -2);
    passes.push(path);
  }
  const cppArgs = ['cpp', '-lang-c', ...argv.filter((arg, i) => arg.startsWith('-D') || arg.startsWith('-I') || argv[i - 1] === '-I'), source];
  const status = argv.includes('-pipe') ? yield* compilePiped(libc, passes, cppArgs, object) : yield* compileThroughFiles(libc, passes, cppArgs, object);
  return status < 0 ? yield* fail(libc, 'gcc: cannot fork', status) : status;
});

/** ld [-r] [-o OUTPUT] OBJECT...: reads every object, resolves and relocates, writes the image. */
const ld = tool('ld', 200 * KB, function* (libc: Libc, argv: string[]): Operation<number> {
  const output = argv.includes('-o') ? argv[argv.indexOf('-o') + 1] : 'a.out';
  const objects = operands(argv);
  const buffer = yield* libc.malloc(IO_BLOCK);
  const image = yield* HeapArena.open(libc);
  for (const object of objects) {
    const read = yield* readFile(libc, object, buffer);
    if (read.bytes < 0) return yield* fail(libc, `ld: ${object}`, read.bytes);
    if (!(yield* image.grow(read.bytes))) return yield* fail(libc, 'ld: virtual memory exhausted', -12);
  }
  yield* libc.compute(instructions(libc, MACRO_COSTS.linkPerByte * image.size));
  const written = yield* writeFile(libc, output, image.base, image.size);
  return written < 0 ? yield* fail(libc, `ld: ${output}`, written) : 0;
});

/**
 * tar cf ARCHIVE PATH...: archives files and directory trees (reads every file, writes it to
 * ARCHIVE in blocks); `tar cf /dev/null DIR` is the classic way to pull a tree into the cache.
 */
const tar = tool('tar', 110 * KB, function* (libc: Libc, argv: string[]): Operation<number> {
  if (argv[1] !== 'cf' || argv.length < 4) return yield* fail(libc, 'usage: tar cf ARCHIVE PATH...', -22);
  const archive = yield* libc.open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (archive < 0) return yield* fail(libc, `tar: ${argv[2]}`, archive);
  const buffer = yield* libc.malloc(IO_BLOCK);
  const add = function* (path: string): Operation<number> {
    const [found, , mode] = yield* libc.stat(path);
    if (found < 0) return found;
    if ((mode & S_IFMT) === S_IFDIR) {
      const names = yield* libc.listDirectory(path);
      if (typeof names === 'number') return names;
      for (const name of names) {
        if (name === '.' || name === '..') continue;
        const status = yield* add(`${path}/${name}`);
        if (status < 0) return status;
      }
      return 0;
    }
    const fd = yield* libc.open(path, O_RDONLY);
    if (fd < 0) return fd;
    for (;;) {
      const n = yield* libc.read(fd, buffer, IO_BLOCK);
      if (n <= 0) break;
      yield* libc.write(archive, buffer, n);
    }
    return yield* libc.close(fd);
  };
  for (const path of argv.slice(3)) {
    const status = yield* add(path);
    if (status < 0) return yield* fail(libc, `tar: ${path}`, status);
  }
  return yield* libc.close(archive);
});

/** The tool chain of the compile benchmark. */
export const COMPILE_PROGRAMS: readonly GuestProgram[] = [MAKE, gcc, ...COMPILER_PASSES, ld, tar];
