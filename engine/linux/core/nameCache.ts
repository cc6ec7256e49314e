import type { Inode } from './vfs';

/** Names longer than this are not cached (fs/dcache.c of 2.0: DCACHE_NAME_LEN). */
export const DCACHE_NAME_LEN = 15;
/** Entries per level (fs/dcache.c of 2.0: DCACHE_SIZE). */
export const DCACHE_SIZE = 128;

/**
 * Linux 2.0's directory-name cache (fs/dcache.c), which ext2_lookup asks before it searches a
 * directory's blocks (ext2_find_entry): names of up to 15 characters, keyed by the directory and
 * its version (bumped whenever the directory changes, so stale entries never match) and the
 * name. New entries go to the first level, entries hit again to the second, so that a readdir
 * or a one-time lookup does not flush names in real use; each level is LRU. Simplification: an
 * entry pushed out of the second level is dropped rather than put back on the first. Timing
 * only: the in-memory tree answers the lookup either way.
 */
export class NameCache {
  private readonly level1 = new Map<string, true>();
  private readonly level2 = new Map<string, true>();

  /** True when `name` in `dir` is cached (and counts as a hit); false for a name too long. */
  hit(dir: Inode, name: string): boolean {
    if (name.length > DCACHE_NAME_LEN) return false;
    const key = NameCache.key(dir, name);
    if (this.level2.delete(key)) {
      this.level2.set(key, true);
      return true;
    }
    if (!this.level1.delete(key)) return false;
    NameCache.insert(this.level2, key);
    return true;
  }

  /** Caches `name` in `dir` after a successful directory search (dcache_add). */
  add(dir: Inode, name: string): void {
    if (name.length <= DCACHE_NAME_LEN) NameCache.insert(this.level1, NameCache.key(dir, name));
  }

  private static key(dir: Inode, name: string): string {
    return `${dir.version}/${name}`;
  }

  private static insert(level: Map<string, true>, key: string): void {
    level.delete(key);
    level.set(key, true);
    if (level.size > DCACHE_SIZE) level.delete(level.keys().next().value as string);
  }
}
