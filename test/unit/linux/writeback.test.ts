import assert from 'node:assert/strict';
import { bootLinux, type LinuxSystem } from '../../../engine/linux/boot';
import type { Inode } from '../../../engine/linux/core/vfs';
import type { GuestProgram } from '../../../engine/userland/runtime';
import { O_CREAT, O_WRONLY } from '../../../engine/linux/core/syscalls';
import { encodeUtf8 } from '../../../engine/base/text';

const TEXT = 'written back\n'.repeat(400); // 5200 bytes: two pages, six blocks

/**
 * Writes /tmp/wb, marks 'written' (a zero-cost harness marker), then sleeps `seconds` (so a run
 * can be stopped before the shutdown's sync).
 */
function writer(seconds: number): GuestProgram {
  return {
    name: 'writer', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
    *main(libc) {
      const fd = yield* libc.open('/tmp/wb', O_WRONLY | O_CREAT, 0o644);
      const buffer = yield* libc.malloc(TEXT.length);
      yield* libc.store(buffer, encodeUtf8(TEXT));
      if ((yield* libc.write(fd, buffer, TEXT.length)) !== TEXT.length) return 1;
      yield* libc.close(fd);
      libc.mark('written');
      yield* libc.sleep(seconds);
      return 0;
    },
  };
}

/**
 * Runs the booted system until the (next) writer has written and closed /tmp/wb, however long
 * boot and the shell took to start it.
 */
function runUntilWritten(system: LinuxSystem): void {
  let written = false;
  system.runtime.onMark = (label) => {
    if (label === 'written') written = true;
  };
  assert.equal(system.run(133e6 * 10, () => written), 'stopped', system.machine.console.output());
  system.runtime.onMark = null;
}

/** The file's data and inode-table entry as the disk has them. */
function onDisk(system: LinuxSystem, inode: Inode): { data: string; size: number; firstBlock: number } {
  const image = system.machine.disk.image;
  const view = new DataView(image.buffer, image.byteOffset);
  const data = inode.blocks.map((b) => String.fromCharCode(...image.subarray(b * 1024, b * 1024 + 1024))).join('').slice(0, inode.size);
  const at = (8 + Math.floor(inode.ino / 8)) * 1024 + (inode.ino % 8) * 128;
  return { data, size: view.getUint32(at + 4, true), firstBlock: view.getUint32(at + 40, true) };
}

function dirText(system: LinuxSystem, dir: Inode): string {
  const image = system.machine.disk.image;
  return dir.blocks.map((b) => String.fromCharCode(...image.subarray(b * 1024, b * 1024 + 1024))).join('');
}

describe('buffer-cache write-back to the disk', () => {
  it('keeps written data dirty in memory, then sync writes data, inode and directory entry', () => {
    const system = bootLinux({ programs: [writer(1)], initArgs: ['sh', '-c', 'writer'] });
    runUntilWritten(system);
    const inode = system.kernel.lookupPath(system.kernel.fs.root, '/tmp/wb')!;
    assert.ok(system.kernel.writeBack.dirty.pages >= 2, 'dirty pages before any sync');
    assert.notEqual(onDisk(system, inode).data, TEXT);
    const writes = system.machine.disk.writes.value;
    assert.equal(system.run(133e6 * 5), 'halted'); // init syncs at shutdown
    assert.ok(system.machine.disk.writes.value > writes);
    const disk = onDisk(system, inode);
    assert.equal(disk.data, TEXT);
    assert.equal(disk.size, TEXT.length);
    assert.equal(disk.firstBlock, inode.blocks[0]);
    assert.ok(dirText(system, system.kernel.lookupPath(system.kernel.fs.root, '/tmp')!).includes('wb'), 'dirent of wb in /tmp');
    assert.deepEqual(system.kernel.writeBack.dirty, { pages: 0, inodes: 0 });
  });

  it('bdflush writes data dirty for 30 s without any sync', () => {
    const system = bootLinux({ programs: [writer(60)], initArgs: ['sh', '-c', 'writer'] });
    runUntilWritten(system);
    assert.equal(system.run(133e6 * 20), 'limit');
    const inode = system.kernel.lookupPath(system.kernel.fs.root, '/tmp/wb')!;
    assert.notEqual(onDisk(system, inode).data, TEXT, 'not yet 20 s after the write');
    assert.equal(system.run(133e6 * 20), 'limit');
    assert.equal(onDisk(system, inode).data, TEXT, 'written within 40 s of the write');
  });

  it('frees the blocks of a deleted file for reuse', () => {
    const system = bootLinux({ programs: [writer(0)], initArgs: ['sh', '-c', 'writer; sync; sleep 1; rm /tmp/wb; writer'] });
    runUntilWritten(system);
    // then until `sync` has written it, which allocates its blocks (before `rm`, a second later)
    assert.equal(system.run(133e6 * 10, () => system.kernel.writeBack.dirty.pages === 0), 'stopped');
    const first = [...system.kernel.lookupPath(system.kernel.fs.root, '/tmp/wb')!.blocks];
    assert.equal(first.length, 6);
    assert.equal(system.run(133e6 * 10), 'halted', system.machine.console.output());
    const inode = system.kernel.lookupPath(system.kernel.fs.root, '/tmp/wb')!;
    assert.deepEqual([...inode.blocks].sort(), [...first].sort(), 'the new file got the freed blocks');
    assert.equal(onDisk(system, inode).data, TEXT);
  });
});
