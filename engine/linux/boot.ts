import { encodeUtf8 } from '../base/text';
import { Machine, type MachineOptions } from '../machine/machine';
import type { LinuxKernel } from './core/kernel';
import type { Substrate } from './core/substrate';
import type { Task } from './core/task';
import { NativeLinux } from './native/nativeLinux';
import type { KernelOverrides } from './kernelOverrides';
import { SYSTEM_PROGRAMS } from '../userland/programs';
import { BENCH_PROGRAMS } from '../userland/benchPrograms';
import { GuestRuntime, guestBinary, ProgramRegistry, type GuestProgram } from '../userland/runtime';
import { sharedLibraryFiles } from '../userland/dynamicLinking';

/**
 * What {@link LinuxSystem} needs of a booted substrate besides the {@link Substrate} contract:
 * the personality it hosts, a way to start init, and init's exit status once the system is down.
 */
export interface LinuxHost extends Substrate {
  readonly kernel: LinuxKernel;
  /** Makes `init` (already created by the kernel) the first task to run and starts the clock. */
  start(init: Task): void;
  /** init's exit status after it exited (the system is down), else null. */
  readonly haltedWith: number | null;
}

/** Builds a substrate (with its personality) on `machine`: native Linux, L4Linux, MkLinux. */
export type LinuxHostFactory = (machine: Machine, runtime: GuestRuntime, options: LinuxBootOptions) => LinuxHost;

/** The machine, the kernels' cost tables (what-ifs: each substrate reads the tables of its kernels) and the image. */
export interface LinuxBootOptions extends MachineOptions, KernelOverrides {
  /** Extra guest programs installed in /bin (tests, benchmarks). */
  readonly programs?: readonly GuestProgram[];
  /** Extra files of the image: path → content. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** init's arguments after argv[0] (default: an interactive `sh`). */
  readonly initArgs?: readonly string[];
  /** The substrate to boot (default: native Linux 2.0). */
  readonly host?: LinuxHostFactory;
  /**
   * What-if of the L4-based substrates: run the Linux server in an L4 small address space
   * (SOSP'97 §4, the paper's configuration; default true). Substrates without L4 ignore it.
   */
  readonly smallSpaces?: boolean;
}

/** The native monolithic substrate as a {@link LinuxHostFactory}. */
export const nativeHost: LinuxHostFactory = (machine, runtime, options) => new NativeLinux(machine, runtime, { linux: options.linux, native: options.native });

/** Why {@link LinuxSystem.run} returned. */
export type LinuxRunOutcome = 'halted' | 'waitingForInput' | 'limit' | 'stopped' | 'failed';

/**
 * A booted Linux system: the machine, the substrate, the personality and the guest userland,
 * with a file-system image (/bin with the programs, /sbin/init, /etc, /tmp, /dev). The substrate
 * comes from `options.host` (native Linux by default; L4Linux and MkLinux plug in here).
 */
export class LinuxSystem {
  readonly machine: Machine;
  readonly substrate: LinuxHost;
  readonly kernel: LinuxKernel;
  readonly runtime: GuestRuntime;
  readonly registry = new ProgramRegistry();
  failure: unknown = undefined;

  constructor(options: LinuxBootOptions = {}) {
    this.machine = new Machine({ keepConsoleTranscript: true, ...options });
    for (const program of [...SYSTEM_PROGRAMS, ...BENCH_PROGRAMS, ...(options.programs ?? [])]) this.registry.register(program);
    this.runtime = new GuestRuntime(this.machine.cpu, this.registry);
    this.substrate = (options.host ?? nativeHost)(this.machine, this.runtime, options);
    this.kernel = this.substrate.kernel;
    for (const program of this.registry.all()) {
      const path = program.name === 'init' ? '/sbin/init' : `/bin/${program.name}`;
      this.kernel.installFile(path, guestBinary(program), 0o755);
    }
    for (const [path, content] of Object.entries(sharedLibraryFiles())) this.kernel.installFile(path, content);
    this.kernel.installFile('/etc/motd', encodeUtf8('Welcome to L4 Lab: Linux 2.0 on a simulated 133 MHz Pentium.\n'));
    this.kernel.installFile('/etc/passwd', encodeUtf8('root::0:0:root:/:/bin/sh\n'));
    this.kernel.installFile('/etc/hostname', encodeUtf8('l4lab\n'));
    for (const [path, content] of Object.entries(options.files ?? {})) {
      this.kernel.installFile(path, typeof content === 'string' ? encodeUtf8(content) : content);
    }
    this.kernel.sealImage();
    this.kernel.printk(`hda: ${this.machine.parameters.diskSectors} sectors, ext2-like layout (1 KB blocks, inode table, dirent blocks)`);
    this.kernel.printk(`VFS: mounted root with ${this.registry.all().length} programs in /bin`);
    const init = this.kernel.startInit('/sbin/init', ['init', ...(options.initArgs ?? [])]);
    this.substrate.start(init);
    this.machine.accounting.reset();
  }

  /** The kernel's boot messages. */
  get bootLog(): readonly string[] {
    return this.kernel.bootLog;
  }

  /** init's exit status once the system has shut down, else null. */
  get exitStatus(): number | null {
    return this.substrate.haltedWith;
  }

  /**
   * Runs until init exits, a tty reader waits with nothing else runnable (interactive input
   * needed), `maxCycles` more cycles have passed, or `stop()` says so.
   */
  run(maxCycles = Number.POSITIVE_INFINITY, stop: () => boolean = () => false): LinuxRunOutcome {
    const cpu = this.machine.cpu;
    const limit = this.machine.scheduler.now + maxCycles;
    const kernel = this.kernel;
    const waiting = () =>
      kernel.tty.readerWaiting && this.machine.console.inputAvailable === 0 && !this.machine.pic.hasPending() && this.substrate.current === null && !kernel.scheduler.tasks.some((t) => t.state === 'running');
    for (;;) {
      if (this.substrate.haltedWith !== null) return 'halted';
      if (this.machine.scheduler.now >= limit) return 'limit';
      if (stop()) return 'stopped';
      if (waiting()) return 'waitingForInput';
      const budget = Math.min(limit - this.machine.scheduler.now, 5_000_000);
      const outcome = cpu.run(() => this.substrate.haltedWith !== null || stop() || waiting(), budget);
      if (outcome === 'failed') {
        this.failure = findFailure(this);
        return 'failed';
      }
      if (outcome === 'noContext' || outcome === 'finished') return this.substrate.haltedWith !== null ? 'halted' : 'failed';
    }
  }

  /** Host → guest keyboard input. */
  type(text: string): void {
    this.machine.console.type(text);
  }
}

function findFailure(system: LinuxSystem): unknown {
  for (const task of system.kernel.tasks.values()) {
    const data = task.substrateData as { context?: { failure: unknown } } | undefined;
    if (data?.context?.failure !== undefined) return data.context.failure;
  }
  return new Error('a context failed');
}

/** Boots native Linux 2.0 (`linux`). */
export function bootLinux(options: LinuxBootOptions = {}): LinuxSystem {
  return new LinuxSystem(options);
}
