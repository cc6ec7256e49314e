/**
 * Known gaps of Linux substrates still being built, found by the reliability tests and
 * `l4lab fuzz linux`: the tests that hit them are skipped with the reason until the substrate
 * is fixed (remove the entry then, and the tests run again).
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {};

