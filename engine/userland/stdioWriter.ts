import type { Operation } from '../machine/executionContext';
import { encodeUtf8 } from '../base/text';
import { IO_BLOCK } from './fileHelpers';
import type { Libc } from './libc';

/**
 * A stdio output stream (fully buffered, BUFSIZ = {@link IO_BLOCK}): text is collected into the
 * program's buffer in user memory and written to `fd` a block at a time, as fwrite/putc do.
 */
export class StdioWriter {
  private readonly block = new Uint8Array(IO_BLOCK);
  private fill = 0;
  /** Bytes handed to write(2) so far. */
  written = 0;
  /** The first write error (-errno), or 0. */
  error = 0;

  constructor(private readonly libc: Libc, readonly fd: number, private readonly buffer: number) {}

  /** Appends `text`; writes every block that fills. */
  *put(text: string | Uint8Array): Operation<void> {
    const bytes = typeof text === 'string' ? encodeUtf8(text) : text;
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(bytes.length - at, IO_BLOCK - this.fill);
      this.block.set(bytes.subarray(at, at + n), this.fill);
      this.fill += n;
      at += n;
      if (this.fill === IO_BLOCK) yield* this.flush();
    }
  }

  /** Writes what is buffered (fflush). */
  *flush(): Operation<void> {
    if (this.fill === 0 || this.error < 0) {
      this.fill = 0;
      return;
    }
    yield* this.libc.store(this.buffer, this.block.subarray(0, this.fill));
    for (let done = 0; done < this.fill; ) {
      const n = yield* this.libc.write(this.fd, this.buffer + done, this.fill - done);
      if (n === -4) continue; // EINTR
      if (n <= 0) {
        this.error = n < 0 ? n : -28; // ENOSPC
        break;
      }
      done += n;
    }
    this.written += this.fill;
    this.fill = 0;
  }
}
