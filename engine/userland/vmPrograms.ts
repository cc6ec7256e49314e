import { ACCESS_READ, ACCESS_WRITE } from '../machine/cpu';
import type { Activity, Operation } from '../machine/executionContext';
import { MAP_FIXED, MAP_SHARED, O_RDWR, PROT_READ, PROT_WRITE, SIG } from '../linux/core/syscalls';
import { writeFile } from './fileHelpers';
import type { Libc } from './libc';
import type { GuestProgram } from './runtime';

const PAGE = 4096;

/**
 * vm_trap N: Appel and Li's TRAP on Linux (SOSP'97 Table 5): N pages of a shared file mapping
 * are mapped read-only; each is written once; the SIGSEGV handler marks its start ('hI', after
 * the write's 'wI'), then write-enables the page by mapping it again read-write at the same
 * address (this Linux has no mprotect), and the write completes.
 */
const vmTrap: GuestProgram = {
  name: 'vm_trap', textBytes: 32 * 1024, dataBytes: 4096, bssBytes: 8192, startup: { textPages: 4, dataPages: 1, bssPages: 1 },
  main: function* (libc: Libc, argv: string[]): Operation<number> {
    const pages = Number(argv[1] ?? '100');
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
      h.mark(`h${current}`);
      const remapped = yield* h.mmap(region + current * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, current * PAGE);
      failed = failed || remapped !== region + current * PAGE;
    };
    yield* libc.signal(SIG.SIGSEGV, handler);
    for (current = 0; current < pages && !failed; current++) {
      libc.mark(`w${current}`);
      yield* libc.touch(region + current * PAGE, 4, ACCESS_WRITE);
    }
    libc.mark('stop', pages);
    return failed ? 1 : 0;
  },
};

/** The virtual-memory benchmark programs. */
export const VM_PROGRAMS: readonly GuestProgram[] = [vmTrap];
