import type { Operation } from '../machine/executionContext';
import { dynamicallyLinked, touchedTextPages, touchText } from './dynamicLinking';
import type { WorkingSetShape } from './hotWorkingSet';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import type { GuestProgram } from './runtime';

const KB = 1024;

/** gcc 2.7.2's library directory (cpp, cc1, specs, its own include directory). */
export const GCC_LIB = '/usr/lib/gcc-lib/i486-linux/2.7.2';

/** What a tool's computation keeps re-referencing (the same for every tool of the chain). */
const TOOL_WORKING_SET: WorkingSetShape = {
  codeBytes: MACRO_COSTS.toolHotCodeBytes,
  codePages: MACRO_COSTS.toolHotCodePages,
  dataBytes: MACRO_COSTS.toolHotDataBytes,
  dataPages: MACRO_COSTS.toolHotDataPages,
  dataWritten: MACRO_COSTS.hotDataWritten,
};

/** A tool's body, run after the dynamic linker and the tool's own start-up. */
export type ToolBody = (libc: Libc, argv: string[]) => Operation<number>;

/** Prints `what: error N` to stderr and returns status 1. */
export function* fail(libc: Libc, what: string, result: number): Operation<number> {
  yield* libc.print(2, `${what}: error ${result}\n`);
  return 1;
}

/** `count` instructions in cycles. */
export function instructions(libc: Libc, count: number): number {
  return Math.round(count * libc.cpu.p.instruction);
}

/**
 * A dynamically linked tool of the 1996 GNU tool chain: crt0 touches a page each of text, data
 * and bss; ld.so maps libc.so.5; then the tool runs the first `startText` of the text pages it
 * touches in a run (the rest, if any, the body runs itself with {@link touchText}). Its
 * computation re-references the tools' hot working set, whose code lies in those first pages.
 */
export function tool(name: string, textBytes: number, body: ToolBody, startText = 1, dataBytes = 16 * KB): GuestProgram {
  return {
    name,
    textBytes,
    dataBytes,
    bssBytes: 16 * KB,
    startup: { textPages: 1, dataPages: 1, bssPages: 1 },
    workingSet: { shape: TOOL_WORKING_SET, textPages: touchedTextPages(textBytes, 0, startText) },
    ...dynamicallyLinked(function* (libc: Libc, argv: string[]): Operation<number> {
      yield* touchText(libc, textBytes, 0, startText);
      return yield* body(libc, argv);
    }),
  };
}

/** Option values of `flag` (`-I dir` or `-Idir`), in order. */
export function optionValues(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === flag && i + 1 < argv.length) out.push(argv[++i]);
    else if (argv[i].startsWith(flag) && argv[i].length > flag.length) out.push(argv[i].slice(flag.length));
  }
  return out;
}

/** Arguments that are not options (nor values of `-o`/`-I`); a lone `-` counts (stdin/stdout). */
export function operands(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-o' || argv[i] === '-I') i++;
    else if (argv[i] === '-' || !argv[i].startsWith('-')) out.push(argv[i]);
  }
  return out;
}
