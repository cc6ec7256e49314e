import type { Operation } from '../machine/executionContext';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../linux/core/syscalls';
import type { AimTest } from './aimComputeTests';
import { AIM_COMMON_FILE, AIM_FAKEH, type AimUser } from './aimUser';
import { MACRO_COSTS } from './macroParameters';

const C = MACRO_COSTS;
const BLOCK = C.aimDiskBlockBytes;

/*
 * The disk tests of osdl-aim-7 src/disk1.c and disk_src.c. Each moves disk_iteration_count
 * blocks of 1 KB (the sync tests half as many); DO_SYNC is system("sync"). Our Linux has no
 * O_SYNC: a synchronous write is stood in by write + fsync, which is what O_SYNC makes of it.
 */

/** The test's buffer (nbuf) and its block count. */
function* setUp(user: AimUser, half = false): Operation<{ buffer: number; blocks: number }> {
  const buffer = yield* user.libc.malloc(BLOCK);
  const count = half ? Math.floor(user.diskBlocks() / 2) : user.diskBlocks();
  return { buffer, blocks: user.scaled(count) };
}

/** Writes `blocks` blocks to `fd` (with fsync after each when `sync`); false on a short write. */
function* writeBlocks(user: AimUser, fd: number, buffer: number, blocks: number, sync = false): Operation<boolean> {
  for (let i = 0; i < blocks; i++) {
    if ((yield* user.libc.write(fd, buffer, BLOCK)) !== BLOCK) return false;
    if (sync) yield* user.libc.fsync(fd);
  }
  return true;
}

/** creat + the blocks written + close (the first half of disk_rr, disk_rw, disk_rd). */
function* makeFile(user: AimUser, path: string, buffer: number, blocks: number): Operation<boolean> {
  const fd = yield* user.libc.creat(path, 0o777);
  if (fd < 0) return false;
  const ok = yield* writeBlocks(user, fd, buffer, blocks);
  yield* user.libc.close(fd);
  return ok;
}

/** disk_rr and disk_rw: make the file, then read (or write) as many blocks at random offsets. */
function random(write: boolean): AimTest {
  return function* (user: AimUser): Operation<number> {
    const libc = user.libc;
    const { buffer, blocks } = yield* setUp(user);
    const path = user.path(write ? 'rw' : 'rr');
    if (!(yield* makeFile(user, path, buffer, blocks))) return 1;
    yield* user.doSync();
    const fd = yield* libc.open(path, write ? O_WRONLY : O_RDONLY);
    if (fd < 0) return 1;
    for (let i = 0; i < blocks; i++) {
      yield* libc.lseek(fd, user.random.below(blocks) * BLOCK, 0);
      const n = write ? yield* libc.write(fd, buffer, BLOCK) : yield* libc.read(fd, buffer, BLOCK);
      if (n !== BLOCK) return 1;
    }
    yield* libc.close(fd);
    yield* libc.unlink(path);
    yield* user.doSync();
    return 0;
  };
}

/** disk_rd: make the file, then read it from the start. */
function* sequentialRead(user: AimUser): Operation<number> {
  const libc = user.libc;
  const { buffer, blocks } = yield* setUp(user);
  const path = user.path('rd');
  if (!(yield* makeFile(user, path, buffer, blocks))) return 1;
  yield* user.doSync();
  const fd = yield* libc.open(path, O_RDONLY);
  if (fd < 0) return 1;
  for (let i = 0; i < blocks; i++) if ((yield* libc.read(fd, buffer, BLOCK)) !== BLOCK) return 1;
  yield* libc.close(fd);
  yield* user.doSync();
  yield* libc.unlink(path);
  return 0;
}

/** disk_wrt and sync_disk_wrt: write a new file from the start. */
function sequentialWrite(sync: boolean): AimTest {
  return function* (user: AimUser): Operation<number> {
    const libc = user.libc;
    const { buffer, blocks } = yield* setUp(user, sync);
    const path = user.path(sync ? 'swrt' : 'wrt');
    const fd = yield* libc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o777);
    if (fd < 0) return 1;
    if (!sync) yield* user.doSync();
    if (!(yield* writeBlocks(user, fd, buffer, blocks, sync))) return 1;
    yield* libc.unlink(path);
    yield* libc.close(fd);
    if (!sync) yield* user.doSync();
    return 0;
  };
}

/** disk_cp and sync_disk_cp: copy the common file block by block into a new one. */
function copy(sync: boolean): AimTest {
  return function* (user: AimUser): Operation<number> {
    const libc = user.libc;
    const { buffer, blocks } = yield* setUp(user, sync);
    const path = user.path(sync ? 'scp' : 'cp');
    if (!sync) yield* user.doSync();
    const from = yield* libc.open(AIM_COMMON_FILE, O_RDONLY);
    const to = yield* libc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o777);
    if (from < 0 || to < 0) return 1;
    if (!sync) yield* user.doSync();
    yield* libc.lseek(from, 0, 0);
    for (let i = 0; i < blocks; i++) {
      // the common file holds the largest block count of any user; a short read ends the copy
      const n = yield* libc.read(from, buffer, BLOCK);
      if (n <= 0) break;
      if ((yield* libc.write(to, buffer, n)) !== n) return 1;
      if (sync) yield* libc.fsync(to);
    }
    yield* libc.unlink(path);
    yield* libc.close(from);
    yield* libc.close(to);
    if (!sync) yield* user.doSync();
    return 0;
  };
}

/** sync_disk_rw: make a file of half the blocks, then write blocks at random offsets synchronously. */
function* syncRandomWrite(user: AimUser): Operation<number> {
  const libc = user.libc;
  const { buffer, blocks } = yield* setUp(user, true);
  const path = user.path('srw');
  if (!(yield* makeFile(user, path, buffer, blocks))) return 1;
  const fd = yield* libc.open(path, O_WRONLY);
  if (fd < 0) return 1;
  for (let i = 0; i < blocks; i++) {
    yield* libc.lseek(fd, user.random.below(blocks) * BLOCK, 0);
    if ((yield* libc.write(fd, buffer, BLOCK)) !== BLOCK) return 1;
    yield* libc.fsync(fd);
  }
  yield* libc.close(fd);
  yield* libc.unlink(path);
  return 0;
}

/**
 * disk_src: in the fakeh tree, stat names and creat/close/unlink others (dsearch), after reading
 * the name list; chdir into the tree and back.
 */
function* directorySearch(user: AimUser): Operation<number> {
  const libc = user.libc;
  const buffer = yield* libc.malloc(4096);
  if ((yield* libc.chdir(AIM_FAKEH)) < 0) return 1;
  const list = yield* libc.open('dirlist', O_RDONLY);
  if (list < 0) return 1;
  while ((yield* libc.read(list, buffer, 4096)) > 0);
  yield* libc.close(list);
  const files = user.scaled(C.aimDirSearchFiles);
  for (let i = 0; i < files; i++) {
    const [found] = yield* libc.stat(`h${user.random.below(C.aimDirSearchFiles)}.h`);
    if (found < 0) return 1;
    const name = `c${i}_${user.unit}`;
    const fd = yield* libc.creat(name, 0o777);
    if (fd < 0) return 1;
    yield* libc.close(fd);
    if ((yield* libc.unlink(name)) < 0) return 1;
  }
  yield* libc.chdir('/');
  return 0;
}

/** The disk tests, by name. */
export const AIM_DISK_TESTS: ReadonlyMap<string, AimTest> = new Map<string, AimTest>([
  ['disk_rr', random(false)],
  ['disk_rw', random(true)],
  ['disk_rd', sequentialRead],
  ['disk_wrt', sequentialWrite(false)],
  ['disk_cp', copy(false)],
  ['disk_src', directorySearch],
  ['sync_disk_rw', syncRandomWrite],
  ['sync_disk_wrt', sequentialWrite(true)],
  ['sync_disk_cp', copy(true)],
]);
