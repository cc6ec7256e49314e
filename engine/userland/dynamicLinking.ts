import { ACCESS_FETCH, ACCESS_WRITE } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { ERRNO_NAME } from '../linux/core/errno';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, NR, O_RDONLY, PROT_EXEC, PROT_READ, PROT_WRITE } from '../linux/core/syscalls';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import type { GuestProgram } from './runtime';

const PAGE = 4096;

/** Where the dynamic linker of libc 5 finds libraries, and the library the tool chain uses. */
export const LD_SO_CACHE = '/etc/ld.so.cache';
export const SHARED_LIBC = '/lib/libc.so.5';

function pageRound(bytes: number): number {
  return Math.ceil(bytes / PAGE) * PAGE;
}

/** Size of {@link SHARED_LIBC} in the file system: text, then data from the next page. */
export function sharedLibcBytes(): number {
  return pageRound(MACRO_COSTS.libcTextBytes) + MACRO_COSTS.libcDataBytes;
}

/**
 * The dynamic linker's files every image carries: libc.so.5 (a deterministic byte pattern of
 * its size) and ld.so.cache.
 */
export function sharedLibraryFiles(): Record<string, Uint8Array> {
  const library = new Uint8Array(sharedLibcBytes());
  for (let i = 0; i < library.length; i++) library[i] = (i * 167 + 13) & 0xff;
  const cache = new Uint8Array(1024);
  for (let i = 0; i < cache.length; i++) cache[i] = (i * 61 + 5) & 0xff;
  return { [SHARED_LIBC]: library, [LD_SO_CACHE]: cache };
}

/** fstat(fd): the file's size, or -errno. */
function* fileSize(libc: Libc, fd: number): Operation<number> {
  const buffer = libc.scratch + 3800;
  const result = yield* libc.syscall(NR.fstat, fd, buffer);
  return result < 0 ? result : yield* libc.loadWord(buffer + 20);
}

/**
 * What ld-linux.so.1 does before main of a dynamically linked libc-5 program (the kernel has
 * already mapped the program and the interpreter): maps /etc/ld.so.cache to find libc, maps
 * libc.so.5's text, data and bss with mmap, and relocates: the GOT and data pages it writes
 * are copy-on-write faults, the libc code the program runs faults in from the page cache.
 * Returns 0, or -errno when the library cannot be mapped.
 */
export function* loadSharedLibc(libc: Libc): Operation<number> {
  const cacheFd = yield* libc.open(LD_SO_CACHE, O_RDONLY);
  let cache = 0;
  let cacheBytes = 0;
  if (cacheFd >= 0) {
    cacheBytes = yield* fileSize(libc, cacheFd);
    if (cacheBytes > 0) cache = yield* libc.mmap(0, cacheBytes, PROT_READ, MAP_SHARED, cacheFd, 0);
    yield* libc.close(cacheFd);
    if (cache > 0) yield* libc.touch(cache, 64);
  }
  const fd = yield* libc.open(SHARED_LIBC, O_RDONLY);
  if (fd < 0) return fd;
  const header = yield* libc.read(fd, libc.scratch, 512); // ELF header and program headers
  const textBytes = pageRound(MACRO_COSTS.libcTextBytes);
  const dataBytes = pageRound(MACRO_COSTS.libcDataBytes);
  const text = header < 0 ? header : yield* libc.mmap(0, textBytes + dataBytes, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  const data = text < 0 ? text : yield* libc.mmap(text + textBytes, dataBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, textBytes);
  const bss = data < 0 ? data : yield* libc.mmap(text + textBytes + dataBytes, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
  yield* libc.close(fd);
  if (cache > 0) yield* libc.munmap(cache, cacheBytes);
  if (bss < 0) return bss;
  yield* libc.touch(libc.state.dataBase + 4, 8, ACCESS_WRITE); // GOT[1], GOT[2]: the link map and the lazy resolver
  libc.linkShared(text);
  const written = Math.min(MACRO_COSTS.libcDataPagesWritten, dataBytes / PAGE);
  for (let page = 0; page < written; page++) yield* libc.touch(data + page * PAGE, 16, ACCESS_WRITE);
  const pages = textBytes / PAGE;
  const used = Math.min(MACRO_COSTS.libcTextPagesTouched, pages);
  for (let k = 0; k < used; k++) yield* libc.touch(text + Math.floor((k * pages) / used) * PAGE, 64, ACCESS_FETCH);
  return 0;
}

/**
 * The `main` and `loader` of a program dynamically linked against libc.so.5: ld.so
 * ({@link loadSharedLibc}) runs before `main`; when it cannot map the library it says so on
 * stderr and the program exits with status 1 without running `main`.
 */
export function dynamicallyLinked(main: GuestProgram['main']): Pick<GuestProgram, 'main' | 'loader'> {
  return { main, loader: linkOrRefuse };
}

/** ld.so: the library mapped (null), or its message on stderr and exit status 1. */
function* linkOrRefuse(libc: Libc, name: string): Operation<number | null> {
  const linked = yield* loadSharedLibc(libc);
  if (linked >= 0) return null;
  yield* libc.print(2, `${name}: can't load library '${SHARED_LIBC.slice(SHARED_LIBC.lastIndexOf('/') + 1)}' (${ERRNO_NAME[-linked] ?? linked})\n`);
  return 1;
}

/**
 * Executes the part [from, to) (fractions of the run) of the text pages a tool touches:
 * `textTouchedFraction` of its text, spread over it, so that the first run of each page
 * demand-pages it in.
 */
export function* touchText(libc: Libc, textBytes: number, from: number, to: number): Operation<void> {
  for (const offset of touchedTextPages(textBytes, from, to)) yield* libc.run(offset, 64);
}

/** Offsets in the text of the pages {@link touchText} runs for the part [from, to) of a run. */
export function touchedTextPages(textBytes: number, from: number, to: number): number[] {
  const pages = Math.ceil(textBytes / PAGE);
  const used = Math.max(1, Math.round(MACRO_COSTS.textTouchedFraction * pages));
  const offsets: number[] = [];
  for (let k = Math.round(from * used); k < Math.round(to * used); k++) offsets.push(Math.floor((k * pages) / used) * PAGE);
  return offsets;
}
