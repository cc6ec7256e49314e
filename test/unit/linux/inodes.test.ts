import assert from 'node:assert/strict';
import { bootLinux } from '../../../engine/linux/boot';
import { MAX_INODES } from '../../../engine/linux/core/diskFs';
import { ENOSPC } from '../../../engine/linux/core/errno';
import { NR } from '../../../engine/linux/core/syscalls';
import { RamFileSystem } from '../../../engine/linux/core/vfs';
import type { Libc } from '../../../engine/userland/libc';
import type { GuestProgram } from '../../../engine/userland/runtime';

/** st_ino of `path` (stat's second word), or -errno. */
function* inodeNumber(libc: Libc, path: string) {
  const name = yield* libc.cstring(path);
  const buffer = yield* libc.malloc(64);
  const result = yield* libc.syscall(NR.stat, name, buffer);
  if (result < 0) return result;
  const bytes = yield* libc.load(buffer + 4, 4);
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
}

/** Runs `main` as init's only command on native Linux; returns what it printed. */
function runProgram(main: GuestProgram['main']): string {
  const program: GuestProgram = { name: 't_inodes', textBytes: 8192, dataBytes: 4096, bssBytes: 4096, main };
  const system = bootLinux({ programs: [program], initArgs: ['sh', '-c', 't_inodes'] });
  assert.equal(system.run(133e6 * 120), 'halted');
  return system.machine.console.output();
}

describe('ext2 inode allocation (inode bitmap, lowest free first)', () => {
  it('a file created after an unlink gets the freed inode; an open deleted file keeps its inode until closed', () => {
    const output = runProgram(function* (libc) {
      const a = yield* libc.creat('/tmp/a');
      const first = yield* inodeNumber(libc, '/tmp/a');
      yield* libc.close(a);
      yield* libc.unlink('/tmp/a');
      yield* libc.close(yield* libc.creat('/tmp/b'));
      const reused = yield* inodeNumber(libc, '/tmp/b');
      // /tmp/b is deleted while open: its inode is not free until the last close
      const open = yield* libc.open('/tmp/b', 0);
      yield* libc.unlink('/tmp/b');
      yield* libc.close(yield* libc.creat('/tmp/c'));
      const other = yield* inodeNumber(libc, '/tmp/c');
      yield* libc.close(open);
      yield* libc.mkdir('/tmp/d');
      const afterClose = yield* inodeNumber(libc, '/tmp/d');
      yield* libc.print(1, `${first === reused} ${other !== reused} ${afterClose === reused}\n`);
      return 0;
    });
    assert.equal(output, 'true true true\n');
  });

  it('creat and mkdir fail with ENOSPC when the inode table is full, and work again after an unlink', () => {
    const output = runProgram(function* (libc) {
      let created = 0;
      let error = 0;
      for (;;) {
        const fd = yield* libc.creat(`/tmp/f${created}`);
        if (fd < 0) {
          error = fd;
          break;
        }
        yield* libc.close(fd);
        created++;
      }
      const mkdir = yield* libc.mkdir('/tmp/dir');
      yield* libc.unlink('/tmp/f7');
      const again = yield* libc.creat('/tmp/again');
      yield* libc.print(1, `${created} ${error} ${mkdir} ${again >= 0}\n`);
      return 0;
    });
    const [created, error, mkdir, again] = output.trim().split(' ');
    assert.ok(Number(created) > 0 && Number(created) < MAX_INODES, output);
    assert.equal(Number(error), -ENOSPC);
    assert.equal(Number(mkdir), -ENOSPC);
    assert.equal(again, 'true');
  });

  it('RamFileSystem: lowest free number first; in-core inodes take no bit; a double free is harmless', () => {
    const fs = new RamFileSystem();
    const [a, b, c] = [fs.allocateInode('file', 0o644)!, fs.allocateInode('file', 0o644)!, fs.allocateInode('dir', 0o755)!];
    assert.deepEqual([a.ino, b.ino, c.ino], [fs.root.ino + 1, fs.root.ino + 2, fs.root.ino + 3]);
    const pipe = fs.newInode('fifo', 0o600);
    assert.ok(pipe.ino >= MAX_INODES);
    fs.freeInode(c);
    fs.freeInode(a);
    fs.freeInode(a);
    fs.freeInode(pipe);
    assert.equal(fs.inodesInUse, 2);
    assert.equal(fs.allocateInode('file', 0o644)!.ino, a.ino);
    assert.equal(fs.allocateInode('file', 0o644)!.ino, c.ino);
  });
});
