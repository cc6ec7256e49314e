import { encodeUtf8 } from '../base/text';
import type { Pic } from './pic';

export type ConsoleListener = (text: string) => void;

/**
 * The console: output goes to host listeners (a terminal, an output channel, a test); input comes
 * from the host as text and raises IRQ 1 like a keyboard. Costs of output are charged by the
 * kernel's console driver (per character, ISA I/O).
 */
export class Console {
  private readonly listeners = new Set<ConsoleListener>();
  private readonly input: number[] = [];
  private transcript = '';
  readonly keepTranscript: boolean;

  constructor(private readonly pic: Pic, options: { keepTranscript?: boolean } = {}, readonly irq = 1) {
    this.keepTranscript = options.keepTranscript ?? true;
  }

  /** Subscribes to output; returns an unsubscribe function. */
  onOutput(listener: ConsoleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(text: string): void {
    if (this.keepTranscript) this.transcript += text;
    for (const listener of this.listeners) listener(text);
  }

  /** Everything written so far (when transcripts are kept). */
  output(): string {
    return this.transcript;
  }

  /** Host → guest: queues input bytes and raises the console IRQ. */
  type(text: string): void {
    for (const byte of encodeUtf8(text)) this.input.push(byte);
    this.pic.raise(this.irq);
  }

  get inputAvailable(): number {
    return this.input.length;
  }

  /** Takes up to `max` queued input bytes. */
  takeInput(max: number): Uint8Array {
    return Uint8Array.from(this.input.splice(0, max));
  }
}
