import { ACCESS_READ, ACCESS_WRITE } from '../machine/cpu';
import type { Activity, Operation } from '../machine/executionContext';
import { SeededRandom } from '../base/random';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, O_RDWR, PROT_READ, PROT_WRITE, SIG } from '../linux/core/syscalls';
import { writeFile } from './fileHelpers';
import type { Libc } from './libc';
import type { GuestProgram } from './runtime';

const PAGE = 4096;
/** Pages Appel and Li's APPEL1/APPEL2 protect (SOSP'97 Table 5: 100). */
export const APPEL_PAGES = 100;

/**
 * vm_trap N WARM: Appel and Li's TRAP on Linux (SOSP'97 Table 5): WARM + N pages of a shared
 * file mapping are mapped read-only; each is written once; the SIGSEGV handler write-enables the
 * page with mprotect, and the write completes. The first WARM traps warm the signal path up (the
 * first one costs about ten times a warm one: its code, the handler's frame and the page tables
 * come from memory); for the N after them the write marks 'wI' and the handler its start 'hI'.
 */
const vmTrap: GuestProgram = {
  name: 'vm_trap', textBytes: 32 * 1024, dataBytes: 4096, bssBytes: 8192, startup: { textPages: 4, dataPages: 1, bssPages: 1 },
  main: function* (libc: Libc, argv: string[]): Operation<number> {
    const timed = Number(argv[1] ?? '100');
    const warm = Number(argv[2] ?? '0');
    const pages = warm + timed;
    const path = '/tmp/vmtrap';
    const buffer = yield* libc.malloc(PAGE);
    if ((yield* writeFile(libc, path, buffer, pages * PAGE)) < 0) return 1;
    const fd = yield* libc.open(path, O_RDWR);
    const region = yield* libc.mmap(0, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (fd < 0 || region < 0) return 1;
    for (let i = 0; i < pages; i++) yield* libc.touch(region + i * PAGE, 4, ACCESS_READ);
    let current = 0;
    let failed = false;
    const handler = function* (h: Libc): Activity {
      if (current >= warm) h.mark(`h${current - warm}`);
      failed = failed || (yield* h.mprotect(region + current * PAGE, PAGE, PROT_READ | PROT_WRITE)) !== 0;
    };
    yield* libc.signal(SIG.SIGSEGV, handler);
    for (current = 0; current < pages && !failed; current++) {
      if (current >= warm) libc.mark(`w${current - warm}`);
      yield* libc.touch(region + current * PAGE, 4, ACCESS_WRITE);
    }
    libc.mark('stop', timed);
    return failed ? 1 : 0;
  },
};

/**
 * vm_appel 1|2 ROUNDS SEED WARM: Appel and Li's APPEL1 and APPEL2 over {@link APPEL_PAGES} pages of
 * anonymous memory, all resident and protected read-only by mprotect first. APPEL1: ROUNDS writes
 * to random protected pages; the SIGSEGV handler unprotects the faulting page and protects the
 * one it unprotected before. APPEL2: ROUNDS times, protect all pages with one mprotect, then
 * write each once in random order; the handler unprotects the page. WARM rounds run first,
 * untimed, to warm the signal and mprotect paths up; then marks 'start' and 'stop' (value: the
 * faults handled in the ROUNDS timed rounds).
 */
const vmAppel: GuestProgram = {
  name: 'vm_appel', textBytes: 32 * 1024, dataBytes: 4096, bssBytes: 8192, startup: { textPages: 4, dataPages: 1, bssPages: 1 },
  main: function* (libc: Libc, argv: string[]): Operation<number> {
    const variant = Number(argv[1] ?? '1');
    const rounds = Number(argv[2] ?? '100');
    const random = new SeededRandom(Number(argv[3] ?? '1991'));
    const warm = Number(argv[4] ?? '0');
    const bytes = APPEL_PAGES * PAGE;
    const region = yield* libc.mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region < 0) return 1;
    for (let i = 0; i < APPEL_PAGES; i++) yield* libc.touch(region + i * PAGE, 4, ACCESS_WRITE);
    if ((yield* libc.mprotect(region, bytes, PROT_READ)) !== 0) return 1;
    let current = -1;
    let unprotected = -1;
    let failed = false;
    const handler = function* (h: Libc): Activity {
      failed = failed || (yield* h.mprotect(region + current * PAGE, PAGE, PROT_READ | PROT_WRITE)) !== 0;
      if (variant === 1 && unprotected >= 0) failed = failed || (yield* h.mprotect(region + unprotected * PAGE, PAGE, PROT_READ)) !== 0;
      unprotected = current;
    };
    yield* libc.signal(SIG.SIGSEGV, handler);
    const order = Array.from({ length: APPEL_PAGES }, (_, i) => i);
    let faults = 0;
    for (let round = 0; round < warm + rounds && !failed; round++) {
      if (round === warm) {
        libc.mark('start');
        faults = 0;
      }
      if (variant === 1) {
        current = random.nextU32() % APPEL_PAGES;
        if (current === unprotected) current = (current + 1) % APPEL_PAGES;
        yield* libc.touch(region + current * PAGE, 4, ACCESS_WRITE);
        faults++;
        continue;
      }
      failed = (yield* libc.mprotect(region, bytes, PROT_READ)) !== 0;
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.nextU32() % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const page of order) {
        current = page;
        yield* libc.touch(region + page * PAGE, 4, ACCESS_WRITE);
        faults++;
      }
    }
    libc.mark('stop', faults);
    return failed ? 1 : 0;
  },
};

/** The virtual-memory benchmark programs. */
export const VM_PROGRAMS: readonly GuestProgram[] = [vmTrap, vmAppel];
