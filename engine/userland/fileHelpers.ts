import { decodeUtf8 } from '../base/text';
import type { Operation } from '../machine/executionContext';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../linux/core/syscalls';
import type { Libc } from './libc';
import { exitStatus } from './programs';

/** Block size of the macro programs' stdio-like reads and writes (BUFSIZ of libc 5). */
export const IO_BLOCK = 4096;

/**
 * Reads the whole file `path` through `buffer` (≥ {@link IO_BLOCK} bytes) in {@link IO_BLOCK}
 * reads. Returns its size, or -errno. With `keepText`, the first `keepText` bytes are also
 * returned as text (loaded from user memory, as the program would scan them).
 */
export function* readFile(libc: Libc, path: string, buffer: number, keepText = 0): Operation<{ bytes: number; text: string }> {
  const fd = yield* libc.open(path, O_RDONLY);
  if (fd < 0) return { bytes: fd, text: '' };
  let bytes = 0;
  let text = '';
  for (;;) {
    const n = yield* libc.read(fd, buffer, IO_BLOCK);
    if (n < 0) {
      yield* libc.close(fd);
      return { bytes: n, text };
    }
    if (n === 0) break;
    if (bytes < keepText) text += decodeUtf8(yield* libc.load(buffer, Math.min(n, keepText - bytes)));
    bytes += n;
  }
  yield* libc.close(fd);
  return { bytes, text };
}

/** Creates `path` with `size` bytes written from `buffer` in {@link IO_BLOCK} writes. Returns 0 or -errno. */
export function* writeFile(libc: Libc, path: string, buffer: number, size: number): Operation<number> {
  const fd = yield* libc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0) return fd;
  for (let done = 0; done < size; ) {
    const n = yield* libc.write(fd, buffer, Math.min(IO_BLOCK, size - done));
    if (n <= 0) {
      yield* libc.close(fd);
      return n < 0 ? n : -28; // ENOSPC
    }
    done += n;
  }
  return yield* libc.close(fd);
}

/** fork + execve + waitpid: the exit status of `argv` (as a shell would run it), or -errno. */
export function* runProgram(libc: Libc, path: string, argv: readonly string[]): Operation<number> {
  const pid = yield* libc.fork(function* (child: Libc): Operation<number> {
    const result = yield* child.execve(path, argv);
    yield* child.print(2, `${argv[0]}: exec ${path} failed: ${result}\n`);
    return 127;
  });
  if (pid < 0) return pid;
  const [done, status] = yield* libc.waitpid(pid);
  if (done < 0) return done;
  return exitStatus(status);
}
