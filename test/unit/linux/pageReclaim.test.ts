import assert from 'node:assert/strict';
import { bootableLinuxSystems, bootLinuxSystem } from '../../../engine/linux/systems';
import { MAP_SHARED, O_CREAT, O_RDONLY, O_RDWR, O_WRONLY, PROT_READ, PROT_WRITE } from '../../../engine/linux/core/syscalls';
import type { GuestProgram } from '../../../engine/userland/runtime';

/**
 * A small machine: 24 MB of RAM (the least MkLinux boots in) and a 32 MB disk (65536 sectors;
 * the image takes about 4 MB), so that a file outgrows the memory fast and the disk fills soon.
 */
const MACHINE = { memoryMB: 24, diskSectors: 65536 };
const CHUNK = 65536;
/** 24 MB: more than the machine's memory, so no system can hold it all in its page cache. */
const LARGE = 24 << 20;
const CHECKED = [0, 4096 * 7, 5 << 20, 17 << 20, LARGE - 4096];

/** The large file's content: page n is filled with byte n·7 mod 251, then n in its first four bytes. */
function fillPages(bytes: Uint8Array, offset: number): void {
  for (let at = 0; at < bytes.length; at += 4096) {
    const page = (offset + at) / 4096;
    bytes.fill((page * 7) % 251, at, at + 4096);
    new DataView(bytes.buffer).setUint32(at, page, true);
  }
}

/**
 * Writes a page of /tmp/shared through a shared mapping, fsyncs it (the page is clean), writes
 * it again through the mapping and unmaps it (only the writable PTE said it was written again).
 * Then writes /tmp/large (LARGE bytes) and reads both files back at a few offsets, then fills
 * the disk with /tmp/full until write fails, printing what it saw.
 */
const filler: GuestProgram = {
  name: 'filler', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
  *main(libc) {
    const buffer = yield* libc.malloc(CHUNK);
    const bytes = new Uint8Array(CHUNK);
    let fd = yield* libc.open('/tmp/shared', O_CREAT | O_RDWR);
    yield* libc.write(fd, buffer, 4096);
    const mapped = yield* libc.mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    yield* libc.store(mapped, new Uint8Array(4096).fill(1));
    yield* libc.fsync(fd);
    yield* libc.store(mapped, new Uint8Array(4096).fill(2));
    yield* libc.munmap(mapped, 4096);
    yield* libc.close(fd);
    fd = yield* libc.open('/tmp/large', O_CREAT | O_WRONLY);
    for (let at = 0; at < LARGE; at += CHUNK) {
      fillPages(bytes, at);
      yield* libc.store(buffer, bytes);
      if ((yield* libc.write(fd, buffer, CHUNK)) !== CHUNK) return 1;
    }
    yield* libc.close(fd);
    fd = yield* libc.open('/tmp/large', O_RDONLY);
    const mismatches: number[] = [];
    const expected = new Uint8Array(4096);
    for (const offset of CHECKED) {
      fillPages(expected, offset);
      yield* libc.lseek(fd, offset, 0);
      if ((yield* libc.read(fd, buffer, 4096)) !== 4096) return 2;
      const read = yield* libc.load(buffer, 4096);
      if (read.some((value, i) => value !== expected[i])) mismatches.push(offset);
    }
    yield* libc.close(fd);
    fd = yield* libc.open('/tmp/shared', O_RDONLY);
    yield* libc.read(fd, buffer, 4096);
    if ((yield* libc.load(buffer, 4096)).some((value) => value !== 2)) mismatches.push(-1);
    yield* libc.close(fd);
    fd = yield* libc.open('/tmp/full', O_CREAT | O_WRONLY);
    let total = 0;
    let result = 0;
    for (;;) {
      result = yield* libc.write(fd, buffer, CHUNK);
      if (result <= 0) break;
      total += result;
    }
    yield* libc.print(1, `mismatches [${mismatches.join(',')}] full ${total} error ${result}\n`);
    return 0;
  },
};

describe('page reclaim under memory pressure', () => {
  /** What each system's filler printed. */
  const outputs = new Map<string, string>();

  for (const system of bootableLinuxSystems()) {
    it(`${system}: a file larger than RAM reads back intact, and writing stops with ENOSPC when the disk is full`, () => {
      const linux = bootLinuxSystem(system, { parameters: MACHINE, programs: [filler], initArgs: ['sh', '-c', 'filler'] });
      linux.run(133e6 * 600);
      const output = linux.machine.console.output();
      const line = /mismatches .*/.exec(output)?.[0];
      assert.ok(line !== undefined, `${system}: ${output}`);
      assert.match(line, /^mismatches \[\] full \d+ error -28$/);
      const full = Number(/full (\d+)/.exec(line)![1]);
      assert.ok(full > 0 && full + LARGE <= MACHINE.diskSectors * 512, line);
      outputs.set(system, line);
    });
  }

  it('the disk is full after the same number of bytes on every system', () => {
    assert.equal(outputs.size, bootableLinuxSystems().length);
    const [first] = outputs.values();
    for (const [system, line] of outputs) assert.equal(line, first, system);
  });
});
