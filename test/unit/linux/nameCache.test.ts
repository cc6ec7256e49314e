import { strict as assert } from 'node:assert';
import { DCACHE_SIZE, NameCache } from '../../../engine/linux/core/nameCache';
import { Inode } from '../../../engine/linux/core/vfs';

describe("Linux 2.0's directory-name cache", () => {
  it('hits a name it added, misses names too long to cache and names of a changed directory', () => {
    const cache = new NameCache();
    const dir = new Inode(2, 'dir', 0o755);
    assert.equal(cache.hit(dir, 'bin'), false);
    cache.add(dir, 'bin');
    assert.equal(cache.hit(dir, 'bin'), true);
    cache.add(dir, 'a-name-longer-than-15');
    assert.equal(cache.hit(dir, 'a-name-longer-than-15'), false, 'DCACHE_NAME_LEN is 15');
    dir.changed();
    assert.equal(cache.hit(dir, 'bin'), false, 'a new version of the directory');
  });

  it('keeps names in use (second level) when many one-time names pass through the first', () => {
    const cache = new NameCache();
    const dir = new Inode(2, 'dir', 0o755);
    cache.add(dir, 'libc');
    assert.equal(cache.hit(dir, 'libc'), true); // now on the second level
    for (let i = 0; i < 2 * DCACHE_SIZE; i++) cache.add(dir, `tmp${i}`);
    assert.equal(cache.hit(dir, 'libc'), true);
    assert.equal(cache.hit(dir, 'tmp0'), false, 'the first level is LRU of DCACHE_SIZE entries');
    assert.equal(cache.hit(dir, `tmp${2 * DCACHE_SIZE - 1}`), true);
  });
});
