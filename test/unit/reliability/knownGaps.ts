/**
 * Known gaps of Linux substrates still being built, found by the reliability tests and
 * `l4lab fuzz linux`: the tests that hit them are skipped with the reason until the substrate
 * is fixed (remove the entry then, and the tests run again).
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {
  l4linux: 'a store to a kernel address is never turned into SIGSEGV: the system idles until the watchdog',
  'l4linux-trampoline': 'a store to a kernel address fails the run: "unexpected exception 13 in a Linux process"',
  'mklinux-kernel': 'a store to a kernel address or to page 0 is never turned into SIGSEGV: the system idles until the watchdog',
  'mklinux-user': 'a store to a kernel address or to page 0 is never turned into SIGSEGV: the system idles until the watchdog',
};
