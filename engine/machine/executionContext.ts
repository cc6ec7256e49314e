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

/**
 * %GeneratorPrototype%, the prototype of every generator function's `prototype` object, and its
 * `next`. Resuming a native generator through `generatorNext.call(g)` rather than `g.next()`
 * matters on the run loop's hot paths (issue 10): each generator function gives its generators a
 * prototype of their own, so a call site that resumes the generators of many threads sees many
 * maps and V8 looks `next` up the slow (megamorphic) way at every switch.
 */
const GENERATOR_PROTOTYPE: object = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())) as object;
const generatorNext = (GENERATOR_PROTOTYPE as Activity).next;

/** Whether `activity` is a native generator (not another iterator such as a GuardedActivity). */
export function isNativeGenerator(activity: Activity): boolean {
  return Object.getPrototypeOf(Object.getPrototypeOf(activity)) === GENERATOR_PROTOTYPE;
}

/** `activity.next()`, for an `activity` that {@link isNativeGenerator} says is a native generator when `native`. */
export function resume(activity: Activity, native: boolean): IteratorResult<void, void> {
  return native ? generatorNext.call(activity) : activity.next();
}

export class ExecutionContext {
  finished = false;
  /** Set when the body threw: the run loop reports it instead of crashing the engine. */
  failure: unknown = undefined;
  readonly generator: Activity;
  /** Whether {@link generator} is a native generator (see {@link resume}). */
  readonly native: boolean;

  /**
   * @param name shown in traces and reports.
   * @param body the context's whole life; it must switch away (never simply return) unless it is
   *   the last context of a run.
   * @param owner the kernel object this context carries (a thread, a process).
   */
  constructor(readonly name: string, body: () => Activity, public owner: unknown = undefined) {
    this.generator = body();
    this.native = isNativeGenerator(this.generator);
  }
}
