import type { Operation } from '../machine/executionContext';
import { readFile, runProgram, touchHeap, writeFile, IO_BLOCK } from './fileHelpers';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import type { GuestProgram } from './runtime';

const KB = 1024;

/*
 * The compile workload of SOSP'97 Figure 7 (recompiling a program tree), as the GNU tool chain
 * of 1996 runs it: make forks the gcc driver per object, the driver forks cc1 (preprocess and
 * compile to assembler text in /tmp) and as (assemble to the object), and make finally runs ld.
 * Every pass reads its input through the file system and writes its output back; the passes'
 * own work is compute per byte (engine/userland/macroParameters.ts). Binary sizes are those of
 * the i386 a.out tools of the time, rounded (cc1 was by far the largest).
 */
function toolchain(name: string, textBytes: number, textPages: number, main: GuestProgram['main']): GuestProgram {
  return { name, textBytes, dataBytes: 16 * KB, bssBytes: 16 * KB, startup: { textPages, dataPages: 2, bssPages: 2 }, main };
}

function* fail(libc: Libc, what: string, result: number): Operation<number> {
  yield* libc.print(2, `${what}: error ${result}\n`);
  return 1;
}

function instructions(libc: Libc, count: number): number {
  return Math.round(count * libc.cpu.p.instruction);
}

/** `#include "NAME"` lines of a source text, in order. */
export function includedHeaders(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/^#include "([^"]+)"$/gm)) out.push(match[1]);
  return out;
}

/** cc1 SOURCE OUT.s INCLUDE-DIR: preprocesses (source + its headers), compiles, writes assembler text. */
const cc1 = toolchain('cc1', 1200 * KB, 48, function* (libc: Libc, argv: string[]): Operation<number> {
  const [, source, output, includeDirectory] = argv;
  if (output === undefined) return yield* fail(libc, 'usage: cc1 SOURCE OUTPUT INCLUDE-DIR', -22);
  const buffer = yield* libc.malloc(IO_BLOCK);
  const input = yield* readFile(libc, source, buffer, IO_BLOCK);
  if (input.bytes < 0) return yield* fail(libc, `cc1: ${source}`, input.bytes);
  let preprocessed = input.bytes;
  for (const header of includedHeaders(input.text)) {
    const read = yield* readFile(libc, `${includeDirectory}/${header}`, buffer);
    if (read.bytes < 0) return yield* fail(libc, `cc1: ${header}`, read.bytes);
    preprocessed += read.bytes;
  }
  yield* libc.compute(instructions(libc, MACRO_COSTS.preprocessPerByte * preprocessed));
  const heapBytes = Math.round(MACRO_COSTS.compilerHeapPerByte * preprocessed);
  const heap = yield* libc.malloc(heapBytes);
  if (heap === 0) return yield* fail(libc, 'cc1: out of memory', -12);
  yield* touchHeap(libc, heap, heapBytes);
  yield* libc.compute(instructions(libc, MACRO_COSTS.compilePerByte * preprocessed));
  const written = yield* writeFile(libc, output, heap, Math.round(MACRO_COSTS.assemblyPerSourceByte * input.bytes));
  return written < 0 ? yield* fail(libc, `cc1: ${output}`, written) : 0;
});

/** as INPUT.s OUTPUT.o: reads assembler text, assembles, writes the object. */
const as = toolchain('as', 200 * KB, 16, function* (libc: Libc, argv: string[]): Operation<number> {
  const [, input, output] = argv;
  const buffer = yield* libc.malloc(IO_BLOCK);
  const text = yield* readFile(libc, input, buffer);
  if (text.bytes < 0) return yield* fail(libc, `as: ${input}`, text.bytes);
  yield* libc.compute(instructions(libc, MACRO_COSTS.assemblePerByte * text.bytes));
  const written = yield* writeFile(libc, output, buffer, Math.round(MACRO_COSTS.objectPerAssemblyByte * text.bytes));
  return written < 0 ? yield* fail(libc, `as: ${output}`, written) : 0;
});

/** cc -c SOURCE -o OBJECT -I DIR: the gcc driver, running cc1 then as through a temporary file. */
const cc = toolchain('cc', 64 * KB, 6, function* (libc: Libc, argv: string[]): Operation<number> {
  const source = argv[argv.indexOf('-c') + 1];
  const object = argv[argv.indexOf('-o') + 1];
  const includeDirectory = argv.includes('-I') ? argv[argv.indexOf('-I') + 1] : '/usr/include';
  if (argv.indexOf('-c') < 0 || argv.indexOf('-o') < 0) return yield* fail(libc, 'usage: cc -c SOURCE -o OBJECT [-I DIR]', -22);
  const temporary = `/tmp/cc${yield* libc.getpid()}.s`;
  const compiled = yield* runProgram(libc, '/bin/cc1', ['cc1', source, temporary, includeDirectory]);
  if (compiled !== 0) return compiled;
  const assembled = yield* runProgram(libc, '/bin/as', ['as', temporary, object]);
  yield* libc.unlink(temporary);
  return assembled;
});

/** ld -o OUTPUT OBJECT...: reads every object, resolves and relocates, writes the image. */
const ld = toolchain('ld', 160 * KB, 12, function* (libc: Libc, argv: string[]): Operation<number> {
  const output = argv[argv.indexOf('-o') + 1];
  const objects = argv.slice(1).filter((arg, index, all) => arg !== '-o' && all[index - 1] !== '-o');
  const buffer = yield* libc.malloc(IO_BLOCK);
  let total = 0;
  for (const object of objects) {
    const read = yield* readFile(libc, object, buffer);
    if (read.bytes < 0) return yield* fail(libc, `ld: ${object}`, read.bytes);
    total += read.bytes;
  }
  yield* libc.compute(instructions(libc, MACRO_COSTS.linkPerByte * total));
  const image = yield* libc.malloc(total);
  const written = yield* writeFile(libc, output, image, total);
  return written < 0 ? yield* fail(libc, `ld: ${output}`, written) : 0;
});

/** A rule of a Makefile: target, prerequisites, and its command (one line, run without a shell). */
export interface MakeRule {
  readonly target: string;
  readonly prerequisites: readonly string[];
  readonly command: readonly string[];
}

/** Parses `target: prerequisites` lines each followed by one tab-indented command line. */
export function parseMakefile(text: string): MakeRule[] {
  const rules: MakeRule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^\s:]+)\s*:(.*)$/.exec(lines[i]);
    if (match === null) continue;
    const next = lines[i + 1] ?? '';
    const command = next.startsWith('\t') ? next.trim().split(/\s+/) : [];
    rules.push({ target: match[1], prerequisites: match[2].trim().split(/\s+/).filter((p) => p.length > 0), command });
  }
  return rules;
}

/**
 * make -C DIR: builds the first target of DIR/Makefile, prerequisites first. A target is rebuilt
 * when it does not exist or a prerequisite was rebuilt in this run (this file system's stat has
 * no modification times). Commands are forked and exec'd directly from /bin, as GNU make does
 * for a command without shell metacharacters.
 */
const make = toolchain('make', 120 * KB, 10, function* (libc: Libc, argv: string[]): Operation<number> {
  const directory = argv.includes('-C') ? argv[argv.indexOf('-C') + 1] : '.';
  const chdir = yield* libc.chdir(directory);
  if (chdir < 0) return yield* fail(libc, `make: ${directory}`, chdir);
  const buffer = yield* libc.malloc(IO_BLOCK);
  const makefile = yield* readFile(libc, 'Makefile', buffer, 1 << 20);
  if (makefile.bytes < 0) return yield* fail(libc, 'make: Makefile', makefile.bytes);
  const rules = parseMakefile(makefile.text);
  if (rules.length === 0) return yield* fail(libc, 'make: no targets', -22);
  const rebuilt = new Set<string>();
  const build = function* (target: string, depth: number): Operation<number> {
    const rule = rules.find((r) => r.target === target);
    if (rule === undefined || depth > 32) {
      const [exists] = yield* libc.stat(target);
      return exists < 0 ? yield* fail(libc, `make: no rule to make ${target}`, exists) : 0;
    }
    for (const prerequisite of rule.prerequisites) {
      const status = yield* build(prerequisite, depth + 1);
      if (status !== 0) return status;
    }
    libc.spend(instructions(libc, MACRO_COSTS.makeRulePerTarget));
    const [exists] = yield* libc.stat(target);
    if (exists >= 0 && !rule.prerequisites.some((p) => rebuilt.has(p))) return 0;
    if (rule.command.length === 0) return 0;
    yield* libc.print(1, `${rule.command.join(' ')}\n`);
    const status = yield* runProgram(libc, `/bin/${rule.command[0]}`, rule.command);
    if (status !== 0) return yield* fail(libc, `make: *** [${target}] Error`, status);
    rebuilt.add(target);
    return 0;
  };
  libc.mark('start');
  const status = yield* build(rules[0].target, 0);
  libc.mark('stop', rebuilt.size);
  return status;
});

/** The tool chain of the compile benchmark. */
export const COMPILE_PROGRAMS: readonly GuestProgram[] = [make, cc, cc1, as, ld];
