import type { Cpu } from '../../machine/cpu';
import type { BranchSites } from '../../machine/btb';
import { wholeLineBytes } from '../../base/codeLayout';
import { SeededRandom } from '../../base/random';
import { apportion, nameHash, placeRuns, sourceTextBytes, type LinkedObject } from '../../base/textLayout';
import { FUNCTION_OFFSETS, LINUX_LINK_ORDER, LINUX_SOURCE_HEADER_CHARS, PATH_FUNCTIONS, UNALIGNED_OBJECTS } from './kernelTextLayout';
import { LINUX_PARAMETERS, type LinuxParameters } from './linuxParameters';

export type LinuxPath = keyof typeof LINUX_PARAMETERS;

/** Paths that are hand-written assembly (inline asm of include/asm-i386, the rep stosl clear, csum_partial_copy's loop): compact code at `codeBytesPerInstruction`. */
const ASSEMBLY_PATHS: ReadonlySet<LinuxPath> = new Set<LinuxPath>(['switchTo', 'zeroPagePerDword', 'checksumPerDword']);

/**
 * The rows of a path's code footprint, for the paths whose row counts loop iterations or repeated
 * calls of one function (fork's copy_files over 256 slots, exec's three do_mmaps): the code such a
 * path fetches is its instructions counted once per pass, as `codeLineBytesPerInstruction` was
 * measured (each executed instruction counted once, a loop body one pass), while its cycles stay
 * its full count. Every other path is straight-line code, and its code is its count.
 */
const CODE_INSTRUCTIONS: Partial<Record<LinuxPath, LinuxPath>> = {
  forkBase: 'forkCodeInstructions', exitBase: 'exitCodeInstructions', execBase: 'execCodeInstructions',
  munmapBase: 'munmapCodeInstructions', brkShrink: 'brkShrinkCodeInstructions',
};

/**
 * Instructions of path `name` that its code holds: its one-pass count ({@link CODE_INSTRUCTIONS}),
 * or its count for straight-line code; never more than its count (a what-if that lowers the count
 * below the one-pass figure shrinks the code with it).
 */
export function codeInstructions(p: LinuxParameters, name: LinuxPath): number {
  const code = CODE_INSTRUCTIONS[name];
  return code === undefined ? p[name] : Math.min(p[name], p[code]);
}

/**
 * An object file of the Linux text as {@link layoutLinuxText} links it: its offset from the text
 * base, its bytes and the factor its main source's size was drawn with (1 unless `linkMapSeed`
 * draws another build).
 */
export interface LinuxObject { readonly file: string; readonly offset: number; readonly bytes: number; readonly scale: number }

/** Relative uncertainty of the size of an object whose source length was read (`textBytesPerSourceChar`'s ±30 % per file). */
const READ_SIZE_SPREAD = 0.3;
/** Relative uncertainty of the size of an object whose length was recalled, or of assembly (`assemblyTextBytesPerSourceChar`'s ±50 %). */
const ESTIMATED_SIZE_SPREAD = 0.5;

/**
 * The factor each source of `object` is sized with in the build `seed` stands for: 1 for seed 0
 * (the sizes as derived), else drawn uniformly within the object's uncertainty from the object's
 * own generator (the seed mixed with its name, as layoutMachPaths draws).
 */
function sizeFactors(seed: number, object: LinkedObject): number[] {
  const chars = object.chars ?? [];
  if (seed === 0) return chars.map(() => 1);
  const random = new SeededRandom(seed ^ nameHash(object.file));
  const spread = object.assembly === true || 'estimated' in object ? ESTIMATED_SIZE_SPREAD : READ_SIZE_SPREAD;
  return chars.map(() => 1 + spread * (2 * random.next() - 1));
}

/** Where a path's code lies: its runs of whole lines, each at its function's place (offsets from the text base). */
type PathRuns = ReadonlyArray<{ readonly offset: number; readonly bytes: number }>;

/** The function of a part's place: `schedule#goodness` is a section of schedule() (see PATH_FUNCTIONS). */
function functionOf(place: string): string {
  const hash = place.indexOf('#');
  return hash < 0 ? place : place.slice(0, hash);
}

/** Text bytes of `chars` characters of a Linux source file (its banner and #include block not counted). */
function linuxSourceBytes(p: LinuxParameters, chars: number, assembly: boolean): number {
  return sourceTextBytes(chars, LINUX_SOURCE_HEADER_CHARS, assembly ? p.assemblyTextBytesPerSourceChar : p.textBytesPerSourceChar);
}

/**
 * Lays the personality's paths out in its kernel text as Linux 2.0's link does
 * (kernelTextLayout.ts): object file after object file in link order (`LINUX_LINK_ORDER`), each of
 * the text size its source gives (characters past the header × `textBytesPerSourceChar`, or
 * `assemblyTextBytesPerSourceChar` for assembly). A path's code is its instructions counted once
 * per pass ({@link codeInstructions}: a loop body once, a function it calls several times once) ×
 * `codeLineBytesPerInstruction` in whole lines (× `codeBytesPerInstruction` for the assembly rows),
 * divided between the functions its row names (`PATH_FUNCTIONS`, in
 * proportion to the instructions the row gives each), each share one run at its function's place
 * in its own file: the text bytes of the source before the function's definition
 * (`FUNCTION_OFFSETS`); a function whose place was not read lies from the start of its file. The
 * rows that name one function run the same code (kmalloc's fast path for fork, mmap and a UDP
 * send alike) and share its place; a row that is its own section of a function
 * (`schedule#goodness`) has a place of its own behind the function's others. Places never
 * overlap, and a file its places overfill grows. With `linkMapSeed` 0 nothing is drawn; another
 * seed lays out another plausible build, each source's size scaled by a factor drawn within its
 * uncertainty ({@link sizeFactors}), its functions' places with it.
 */
export function layoutLinuxText(p: LinuxParameters): { paths: ReadonlyMap<LinuxPath, PathRuns>; objects: LinuxObject[]; textBytes: number } {
  const line = 32;
  const runsByFile = new Map<string, { name: LinuxPath; part: number; bytes: number; fn?: string }[]>();
  for (const name of Object.keys(LINUX_PARAMETERS) as LinuxPath[]) {
    if (LINUX_PARAMETERS[name].unit !== 'instructions') continue;
    const parts = PATH_FUNCTIONS[name];
    if (parts === undefined) throw new Error(`${name} has no functions in PATH_FUNCTIONS`);
    const bytesPerInstruction = ASSEMBLY_PATHS.has(name) ? p.codeBytesPerInstruction : p.codeLineBytesPerInstruction;
    const lines = wholeLineBytes(codeInstructions(p, name) * bytesPerInstruction, line) / line;
    apportion(lines, parts.map((part) => part.instructions)).forEach((partLines, i) => {
      if (partLines === 0) return;
      const runs = runsByFile.get(parts[i].file) ?? runsByFile.set(parts[i].file, []).get(parts[i].file)!;
      runs.push({ name, part: i, bytes: partLines * line, fn: parts[i].fn });
    });
  }
  const paths = new Map<LinuxPath, { part: number; offset: number; bytes: number }[]>();
  const objects: LinuxObject[] = [];
  let offset = 0;
  for (const object of LINUX_LINK_ORDER) {
    const assembly = object.assembly === true;
    const factors = sizeFactors(p.linkMapSeed, object);
    const size = Math.round((object.chars ?? []).reduce((sum, chars, i) => sum + linuxSourceBytes(p, chars, assembly) * factors[i], 0));
    const runs = runsByFile.get(object.file) ?? [];
    runsByFile.delete(object.file);
    const start = runs.length === 0 || UNALIGNED_OBJECTS.has(object.file) ? offset : Math.ceil(offset / line) * line;
    const functionChars = FUNCTION_OFFSETS[object.file] ?? {};
    const targets = runs.map((run) => {
      const chars = run.fn === undefined ? undefined : functionChars[functionOf(run.fn)];
      return chars === undefined ? 0 : linuxSourceBytes(p, chars, assembly) * factors[0];
    });
    const { offsets, end } = placeRuns(runs.map((run) => run.bytes), targets, line, runs.map((run) => run.fn));
    runs.forEach((run, i) => (paths.get(run.name) ?? paths.set(run.name, []).get(run.name)!).push({ part: run.part, offset: start + offsets[i], bytes: run.bytes }));
    const bytes = Math.max(size, end);
    objects.push({ file: object.file, offset: start, bytes, scale: factors[0] ?? 1 });
    offset = start + bytes;
  }
  if (runsByFile.size > 0) throw new Error(`Linux paths in files outside the link order: ${[...runsByFile.keys()].join(', ')}`);
  // a path runs its parts in the order of its row (the caller first, then its callees)
  for (const runs of paths.values()) runs.sort((a, b) => a.part - b.part);
  return { paths, objects, textBytes: offset };
}

/** The layouts of the parameter tables booted so far: a substrate and its kernel lay out the same table more than once. */
const LAYOUTS = new WeakMap<LinuxParameters, ReturnType<typeof layoutLinuxText>>();

/** {@link layoutLinuxText} of `p`, laid out once per parameter table. */
function linuxText(p: LinuxParameters): ReturnType<typeof layoutLinuxText> {
  return LAYOUTS.get(p) ?? LAYOUTS.set(p, layoutLinuxText(p)).get(p)!;
}

/**
 * Offset of each object file in the kernel text that `p` lays out (from the start of the image):
 * where code outside the personality's paths (entry.S, schedule(), a substrate's glue) finds its
 * object by name, in the build the system was booted with.
 */
export function kernelTextLayout(p: LinuxParameters): Readonly<Record<string, number>> {
  return Object.fromEntries(linuxText(p).objects.map((object) => [object.file, object.offset]));
}

/**
 * Throws a clear error when the kernel text that `p` lays out outgrows the `bytes` a substrate
 * reserved for it at `where` (a what-if of the object sizes, say): it would overlap what follows.
 */
export function checkTextFits(p: LinuxParameters, bytes: number, where: string): void {
  const { textBytes } = linuxText(p);
  if (textBytes > bytes) throw new RangeError(`the Linux kernel text (${Math.ceil(textBytes / 1024)} KB with these parameters, linkMapSeed ${p.linkMapSeed}) does not fit the ${bytes / 1024} KB ${where} reserves for it`);
}

/**
 * The object of the system-call entry, arch/i386/kernel/entry.S: where native Linux's entry code
 * lies, and the place L4Linux's and MkLinux's servers give their glue, which replaces it in their
 * links (arch/l4, arch/osfmach3).
 */
export const ENTRY_OBJECT = 'arch/i386/kernel/entry.S';

/** Object `file` as the kernel text that `p` lays out links it (the build the system was booted with). */
function linkedObject(p: LinuxParameters, file: string): LinuxObject {
  const object = linuxText(p).objects.find((o) => o.file === file);
  if (object === undefined) throw new Error(`${file} is not in the Linux link order`);
  return object;
}

/** Offset of object `file` in the kernel text that `p` lays out. */
export function kernelObjectOffset(p: LinuxParameters, file: string): number {
  return linkedObject(p, file).offset;
}

/** Offset in the kernel text that `p` lays out of function `fn` of object `file`, or of the object when the function's place was not read. */
export function kernelFunctionOffset(p: LinuxParameters, file: string, fn: string): number {
  const object = linkedObject(p, file);
  const assembly = LINUX_LINK_ORDER.find((o) => o.file === file)?.assembly === true;
  const chars = FUNCTION_OFFSETS[file]?.[functionOf(fn)];
  return object.offset + (chars === undefined ? 0 : Math.floor((linuxSourceBytes(p, chars, assembly) * object.scale) / 32) * 32);
}

/** Flag instructions (pushf/popf/cli/sti) of a path, charged at the machine's cliSti each. */
const FLAG_OPS: Partial<Record<LinuxPath, LinuxPath>> = {
  scheduleBase: 'scheduleFlagOps', sleepOn: 'sleepOnFlagOps', sleepOnWake: 'sleepOnWakeFlagOps', wakeUpPerWaiter: 'wakeUpFlagOps',
  getFreePage: 'getFreePageFlagOps', freePageToZero: 'freePageToZeroFlagOps', forkBase: 'forkFlagOps', forkPerVma: 'forkPerVmaFlagOps',
  exitBase: 'exitFlagOps', exitPerVma: 'exitPerVmaFlagOps', waitBase: 'waitFlagOps', execBase: 'execFlagOps', openBase: 'openFlagOps',
  statBase: 'statFlagOps', mmapBase: 'mmapFlagOps', munmapBase: 'munmapFlagOps', brkGrow: 'brkFlagOps', brkShrink: 'brkFlagOps',
  udpSend: 'udpSendFlagOps', udpReceive: 'udpReceiveFlagOps', netBottomHalf: 'netBottomHalfFlagOps', udpRecvmsg: 'udpRecvmsgFlagOps',
  udpRecvWait: 'udpRecvWaitFlagOps', tcpSendCall: 'tcpSendCallFlagOps', tcpSend: 'tcpSendFlagOps', tcpReceive: 'tcpReceiveFlagOps',
  tcpAckedSkb: 'tcpAckedSkbFlagOps', tcpRecvCall: 'tcpRecvCallFlagOps', tcpRecvWait: 'tcpRecvWaitFlagOps', tcpRecvSkb: 'tcpRecvSkbFlagOps',
  tcpAck: 'tcpAckFlagOps', selectWait: 'selectWaitFlagOps', makeRequest: 'makeRequestFlagOps', makeRequestWrite: 'makeRequestFlagOps', addRequest: 'addRequestFlagOps',
};

/**
 * Read-modify-write memory instructions among a path's instructions (incl/decl/orl on memory,
 * xchgl): each costs the machine's aluRegMem on top of its one instruction cycle (3 cycles on the
 * P5, as entry.S's andl to EFLAGS(%esp) is charged).
 */
const RMW_OPS: Partial<Record<LinuxPath, LinuxPath>> = {
  writeSemaphore: 'writeSemaphoreRmwOps', pipeReadOp: 'pipeOpRmwOps', pipeWriteOp: 'pipeOpRmwOps', pipeChunk: 'pipeChunkRmwOps',
  wakeUpPerWaiter: 'wakeUpRmwOps', scheduleBase: 'scheduleRmwOps', faultWpPage: 'faultWpRmwOps', faultAnonPage: 'faultAnonRmwOps',
  faultFilePage: 'faultFileRmwOps', faultFileCopy: 'faultFileRmwOps', getFreePage: 'getFreePageRmwOps',
  freePage: 'freePageRmwOps', freePageToZero: 'freePageToZeroRmwOps', copyPte: 'copyPteRmwOps', zapPte: 'zapPteRmwOps',
  forkBase: 'forkRmwOps', forkPerVma: 'forkPerVmaRmwOps', exitBase: 'exitRmwOps', exitPerVma: 'exitPerVmaRmwOps', waitBase: 'waitRmwOps',
  execBase: 'execRmwOps', pathComponent: 'pathComponentRmwOps', openBase: 'openRmwOps', closeBase: 'closeRmwOps', fileReadBase: 'fileReadRmwOps',
  statBase: 'statRmwOps', mmapBase: 'mmapRmwOps', munmapBase: 'munmapRmwOps', brkGrow: 'brkRmwOps', brkShrink: 'brkRmwOps',
  signalSend: 'signalSendRmwOps', signalFrame: 'signalFrameRmwOps', sigreturn: 'sigreturnRmwOps',
  udpSend: 'udpSendRmwOps', udpReceive: 'udpReceiveRmwOps', netBottomHalf: 'netBottomHalfRmwOps', udpRecvmsg: 'udpRecvmsgRmwOps',
  tcpSend: 'tcpSendRmwOps', tcpReceive: 'tcpReceiveRmwOps', tcpAckedSkb: 'tcpAckedSkbRmwOps', tcpRecvSkb: 'tcpRecvSkbRmwOps', tcpAck: 'tcpAckRmwOps',
  makeRequest: 'makeRequestRmwOps', makeRequestWrite: 'makeRequestRmwOps', addRequest: 'addRequestRmwOps',
};

/**
 * How a substrate's build of the personality differs from native Linux 2.0's compiled paths: its
 * `cli()`, `sti()`, `save_flags()` and `restore_flags()` may compile to nothing
 * (`interruptFlags: false`; each path's flag instructions then cost nothing), and some paths may
 * be other code (`paths`: instruction and read-modify-write counts replacing the row's, at the
 * row's place in the text).
 */
export interface LinuxBuild {
  readonly interruptFlags: boolean;
  readonly paths?: Partial<Record<LinuxPath, { readonly instructions: number; readonly rmw: number }>>;
}

/** Native Linux 2.0's build: every path as its row counts it. */
export const NATIVE_LINUX_BUILD: LinuxBuild = { interruptFlags: true };

/**
 * The personality's code paths as code in memory: each path of {@link LINUX_PARAMETERS} is the runs
 * {@link layoutLinuxText} gives it in the kernel text at `textBase` (its share in each function it
 * runs in), so running it fetches its code through the I-TLB and the 8 KB I-cache: a path costs
 * more when other code evicted it. Instruction cycles go to the substrate's kernel category.
 */
export class KernelCode {
  /** Per path: instruction cycles (with its flag and read-modify-write instructions), its runs of code, the branch sites of its first run; looked up by name once. */
  private readonly paths = new Map<string, { cycles: number; runs: { address: number; bytes: number }[]; sites: BranchSites | null }>();

  constructor(private readonly cpu: Cpu, p: LinuxParameters, textBase: number, private readonly category: number, build: LinuxBuild = NATIVE_LINUX_BUILD) {
    const layout = linuxText(p);
    for (const name of Object.keys(LINUX_PARAMETERS) as LinuxPath[]) {
      if (LINUX_PARAMETERS[name].unit !== 'instructions') continue;
      const flags = FLAG_OPS[name];
      const rmw = RMW_OPS[name];
      const own = build.paths?.[name];
      const instructions = own?.instructions ?? p[name];
      const flagOps = flags !== undefined && build.interruptFlags ? p[flags] : 0;
      const rmwOps = own?.rmw ?? (rmw !== undefined ? p[rmw] : 0);
      const cycles = instructions * cpu.p.instruction + flagOps * cpu.p.cliSti + rmwOps * cpu.p.aluRegMem;
      const runs = (layout.paths.get(name) ?? []).map((run) => ({ address: textBase + run.offset, bytes: run.bytes }));
      const path = { cycles, runs, sites: null as BranchSites | null };
      // taken branches are a share of instructions, not of cycles: a 7-cycle CLI or a 3-cycle RMW is one instruction
      if (runs.length > 0) path.sites = cpu.branchSitesOf(path, instructions + flagOps);
      this.paths.set(name, path);
    }
  }

  /** Runs path `name` `count` times (a loop: its code is fetched, and its branches first met, once per call). */
  run(name: LinuxPath, count = 1): void {
    const path = this.paths.get(name);
    if (path === undefined) throw new Error(`${name} is not a code path`);
    this.cpu.charge(path.cycles * count, this.category);
    if (count <= 0) return;
    const runs = path.runs;
    for (let i = 0; i < runs.length; i++) this.cpu.runCode(runs[i].address, runs[i].bytes, i === 0 ? path.sites : null);
  }
}
