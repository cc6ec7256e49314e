// Loads a custom server's TypeScript source as a CommonJS module, inside the engine worker:
// sucrase (pure JavaScript, no native binary) strips the types and keeps every line where it
// was, and the module is compiled under the user's file name, so the stack of a guest exception
// points into the user's file at the right line.

import vm from 'node:vm';
import { transform } from 'sucrase';

/** TypeScript → CommonJS JavaScript with the same line numbers. Throws a SyntaxError with the position on a parse error. */
export function transpileCustomServer(source: string, fileName: string): string {
  return transform(source, { transforms: ['typescript', 'imports'], filePath: fileName, production: true }).code;
}

/** What the module sees as `console`. */
export interface GuestConsole {
  log(...values: unknown[]): void;
}

/**
 * Evaluates the custom server and returns its exports. The wrapper keeps the module's first line
 * on line 1; `require` is refused (a custom server uses only the L4 API it is given).
 */
export function loadCustomServer(source: string, fileName: string, guestConsole: GuestConsole): Record<string, unknown> {
  const javascript = transpileCustomServer(source, fileName);
  const module = { exports: {} as Record<string, unknown> };
  const guestRequire = (specifier: string) => {
    throw new Error(`custom servers cannot import modules ('${specifier}'): use the L4 API passed to server() and client()`);
  };
  const wrapper = `(function (exports, module, require, console) {${javascript}\n})`;
  const factory = vm.runInThisContext(wrapper, { filename: fileName }) as (...args: unknown[]) => void;
  factory(module.exports, module, guestRequire, guestConsole);
  return module.exports;
}
