import type { Operation } from '../machine/executionContext';
import { IO_BLOCK, readFile, runProgram } from './fileHelpers';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import type { GuestProgram } from './runtime';
import { fail, instructions, tool } from './toolchain';

const KB = 1024;

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
 * make [-C DIR] [MAKELEVEL=N]: builds the first target of DIR/Makefile, prerequisites first, as
 * GNU make 3.74 does: every file is stat'ed once per make process (make caches what it learnt);
 * a target is rebuilt when it does not exist or a prerequisite was rebuilt in this run (this file
 * system's stat has no modification times). Commands are forked and exec'd directly from /bin,
 * as GNU make does for a command without shell metacharacters; `make -C SUBDIR MAKELEVEL=1` is
 * a recursive make. The top-level make (no MAKELEVEL) marks the benchmark's start and stop.
 */
export const MAKE: GuestProgram = tool('make', 120 * KB, function* (libc: Libc, argv: string[]): Operation<number> {
  const directory = argv.includes('-C') ? argv[argv.indexOf('-C') + 1] : '.';
  const topLevel = !argv.some((arg) => arg.startsWith('MAKELEVEL='));
  const chdir = yield* libc.chdir(directory);
  if (chdir < 0) return yield* fail(libc, `make: ${directory}`, chdir);
  const buffer = yield* libc.malloc(IO_BLOCK);
  const makefile = yield* readFile(libc, 'Makefile', buffer, 1 << 20);
  if (makefile.bytes < 0) return yield* fail(libc, 'make: Makefile', makefile.bytes);
  const rules = new Map(parseMakefile(makefile.text).map((rule) => [rule.target, rule]));
  const first = rules.keys().next();
  if (first.done === true) return yield* fail(libc, 'make: no targets', -22);
  const known = new Map<string, boolean>();
  const exists = function* (file: string): Operation<boolean> {
    let found = known.get(file);
    if (found === undefined) {
      const [result] = yield* libc.stat(file);
      found = result >= 0;
      known.set(file, found);
    }
    return found;
  };
  const rebuilt = new Set<string>();
  const build = function* (target: string, depth: number): Operation<number> {
    const rule = rules.get(target);
    if (rule === undefined || depth > 32) {
      return (yield* exists(target)) ? 0 : yield* fail(libc, `make: no rule to make ${target}`, -2);
    }
    for (const prerequisite of rule.prerequisites) {
      const status = yield* build(prerequisite, depth + 1);
      if (status !== 0) return status;
    }
    libc.spend(instructions(libc, MACRO_COSTS.makeRulePerTarget));
    if ((yield* exists(target)) && !rule.prerequisites.some((p) => rebuilt.has(p))) return 0;
    if (rule.command.length === 0) return 0;
    yield* libc.print(1, `${rule.command.join(' ')}\n`);
    const status = yield* runProgram(libc, `/bin/${rule.command[0]}`, rule.command);
    if (status !== 0) return yield* fail(libc, `make: *** [${target}] Error`, status);
    rebuilt.add(target);
    known.set(target, true);
    return 0;
  };
  if (topLevel) libc.mark('start');
  const status = yield* build(first.value, 0);
  if (topLevel) libc.mark('stop', rebuilt.size);
  return status;
});
