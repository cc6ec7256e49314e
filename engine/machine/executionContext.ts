/**
 * Execution contexts: the host coroutines that carry simulated threads (DESIGN.md §2).
 *
 * A context is a generator. Guest code and kernel paths are generator functions that `yield*`
 * into each other; a bare `yield` means "give the CPU to `cpu.current`", which a kernel sets
 * before yielding to switch threads (exactly a kernel-stack switch: when the context is resumed it
 * continues inside the kernel path where it stopped). Yielding without changing `cpu.current`
 * resumes the same context; the run loop uses such yields to hand control back to the host.
 */
export type Activity = Generator<void, void, void>;

/** An activity that produces a value (a kernel call returning a result, a guest read...). */
export type Operation<T> = Generator<void, T, void>;

export class ExecutionContext {
  finished = false;
  /** Set when the body threw: the run loop reports it instead of crashing the engine. */
  failure: unknown = undefined;
  readonly generator: Activity;

  /**
   * @param name shown in traces and reports.
   * @param body the context's whole life; it must switch away (never simply return) unless it is
   *   the last context of a run.
   * @param owner the kernel object this context carries (a thread, a process).
   */
  constructor(readonly name: string, body: () => Activity, public owner: unknown = undefined) {
    this.generator = body();
  }
}
