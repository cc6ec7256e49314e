/**
 * Known gaps of Linux substrates still being built, found by the reliability tests and
 * `l4lab fuzz linux`: the tests that hit them are skipped with the reason until the substrate
 * is fixed (remove the entry then, and the tests run again).
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {};

/**
 * Known gaps that only the fork-bomb test hits. MkLinux user-mode: at ~300 processes Mach's kernel
 * frames run out (4 left). task_create and thread_create then return KERN_RESOURCE_SHORTAGE and
 * fork -EAGAIN, but processes created just before still need frames (page tables, server-thread
 * stacks) and the system stops: the forking process's user thread waits in a page fault for ever.
 */
export const KNOWN_FORK_BOMB_GAPS: Readonly<Record<string, string>> = {
  'mklinux-user': 'Mach kernel memory exhausted by ~300 processes: a page fault waits for ever (no VM_PAGE_WAIT / free-page reserve in the Mach model)',
};
