import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, type Cpu } from '../machine/cpu';
import type { Activity, Operation } from '../machine/executionContext';
import type { SystemCallGate, UserRuntime } from '../linux/core/substrate';
import { MAX_ARG_PAGES, NR } from '../linux/core/syscalls';
import type { Task } from '../linux/core/task';
import { HotWorkingSet, type WorkingSetDeclaration } from './hotWorkingSet';
import { ExecTransfer, Libc, type ForkedEntry, type LibcState } from './libc';

const PAGE = 4096;
const TEXT_BASE = 0x08048000;

/**
 * A guest program: what its binary declares (text, data, bss sizes, as a linker would lay them
 * out) and its main function. `startup` is the memory the C library's start-up code and the
 * program's initialisation touch before main (pages of text and data read, bss written), so that
 * exec and the first instructions page in and fill the TLBs as a real binary does.
 */
/** MAX_ARG_PAGES pages of Linux 2.0: no argument string, and no argc, can exceed them. */
const ARGUMENT_PAGES_BYTES = MAX_ARG_PAGES * PAGE;

export interface GuestProgram {
  readonly name: string;
  readonly textBytes: number;
  readonly dataBytes: number;
  readonly bssBytes: number;
  readonly startup?: { readonly textPages: number; readonly dataPages: number; readonly bssPages: number };
  /** What its computation (`libc.compute`) keeps re-referencing; none: compute touches no memory. */
  readonly workingSet?: WorkingSetDeclaration;
  main(libc: Libc, argv: string[]): Operation<number>;
  /**
   * ld.so of a dynamically linked program (see dynamicallyLinked), run between _start and
   * `main`: an exit status ends the program without `main`, null goes on to `main`.
   */
  readonly loader?: (libc: Libc, name: string) => Operation<number | null>;
}

export class ProgramRegistry {
  private readonly programs = new Map<string, GuestProgram>();

  register(program: GuestProgram): void {
    this.programs.set(program.name, program);
  }

  get(name: string): GuestProgram | undefined {
    return this.programs.get(name);
  }

  all(): GuestProgram[] {
    return [...this.programs.values()];
  }
}

function roundUp(bytes: number): number {
  return Math.ceil(bytes / PAGE) * PAGE;
}

/**
 * crt0 for every system: starts images (reads argc/argv from the stack execve built, runs the
 * C library's start-up touches, calls main, exits with its value), resumes forked children, and
 * runs signal handlers. Substrate-independent: all it needs is the task's trap gate.
 */
export class GuestRuntime implements UserRuntime {
  private readonly libcs = new WeakMap<Task, Libc>();
  /** Harness marker (benchmarks): label, value, and the simulated time. */
  onMark: ((label: string, value: number) => void) | null = null;

  constructor(private readonly cpu: Cpu, readonly registry: ProgramRegistry) {}

  private marker = (label: string, value: number): void => {
    this.onMark?.(label, value);
  };

  *run(task: Task, gate: SystemCallGate): Activity {
    let forked = task.regs.childEntry as ForkedEntry | undefined;
    for (;;) {
      try {
        let status: number;
        if (forked !== undefined) {
          const libc = new Libc(gate, this.cpu, forked.state, this.marker);
          this.libcs.set(task, libc);
          const body = forked.body;
          forked = undefined;
          status = yield* body(libc);
          yield* libc.exit(status);
        } else {
          const program = this.registry.get(task.program);
          const textBase = TEXT_BASE;
          const dataBase = TEXT_BASE + roundUp(program?.textBytes ?? PAGE);
          const bssBase = dataBase + roundUp(program?.dataBytes ?? 0);
          const declared = program?.workingSet;
          const image = { textBase, dataBase, dataEnd: bssBase + roundUp(program?.bssBytes ?? 0) };
          const workingSet = declared === undefined ? undefined : new HotWorkingSet(declared, image, this.cpu.caches.lineBytes);
          const state: LibcState = { textBase, dataBase, bssBase, handlers: [], scratch: bssBase, stack: ((task.regs.esp - 512) & ~31) >>> 0, workingSet };
          const libc = new Libc(gate, this.cpu, state, this.marker);
          this.libcs.set(task, libc);
          if (program === undefined) {
            yield* libc.print(2, `${task.program}: no such guest program\n`);
            yield* libc.exit(127);
            return;
          }
          const argv = yield* this.startup(libc, task.regs.esp, program);
          // ld.so runs here rather than in a generator around main: every yield of the program
          // (each system call) would pass through that level (issue 10)
          const refused = program.loader === undefined ? null : yield* program.loader(libc, program.name);
          status = refused ?? (yield* program.main(libc, argv));
          yield* libc.exit(status);
        }
      } catch (error) {
        if (error instanceof ExecTransfer) continue;
        throw error;
      }
    }
  }

  /** _start: argc/argv from the stack, then libc initialisation touching text, data and bss. */
  private *startup(libc: Libc, esp: number, program: GuestProgram): Operation<string[]> {
    const argc = yield* libc.loadWord(esp);
    const argv: string[] = [];
    // as many strings as execve copied, each as long as it is (they all fit the argument pages)
    for (let i = 0; i < Math.min(argc, ARGUMENT_PAGES_BYTES); i++) {
      const pointer = yield* libc.loadWord(esp + 4 + i * 4);
      argv.push(yield* libc.loadString(pointer, ARGUMENT_PAGES_BYTES));
    }
    const touched = program.startup ?? { textPages: 2, dataPages: 1, bssPages: 1 };
    const textEnd = TEXT_BASE + roundUp(program.textBytes);
    for (let i = 0; i < touched.textPages; i++) yield* libc.touch(TEXT_BASE + i * PAGE, 64, ACCESS_FETCH);
    for (let i = 0; i < touched.dataPages && i * PAGE < program.dataBytes; i++) yield* libc.touch(textEnd + i * PAGE, 32, ACCESS_READ);
    for (let i = 0; i < touched.bssPages && i * PAGE < program.bssBytes; i++) yield* libc.touch(libc.state.bssBase + i * PAGE, 32, ACCESS_WRITE);
    return argv;
  }

  *handleSignal(task: Task, gate: SystemCallGate, handler: number, signal: number, frame: number): Activity {
    const libc = this.libcs.get(task);
    const body = libc?.handlerAt(handler);
    if (libc !== undefined && body !== undefined) {
      yield* libc.touch(handler, 16, ACCESS_FETCH);
      yield* body(libc, signal);
    }
    yield* gate.call(NR.sigreturn, frame);
  }
}

/** The header line of a guest binary file for `program`, padded to its text + data size. */
export function guestBinary(program: GuestProgram): Uint8Array {
  const header = `#!l4lab-guest ${program.name} ${program.textBytes} ${program.dataBytes} ${program.bssBytes}\n`;
  const size = roundUp(program.textBytes) + program.dataBytes;
  const bytes = new Uint8Array(Math.max(size, header.length));
  for (let i = 0; i < header.length; i++) bytes[i] = header.charCodeAt(i);
  // a deterministic "code" pattern after the header
  for (let i = header.length; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  return bytes;
}
