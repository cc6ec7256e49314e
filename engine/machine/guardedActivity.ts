import { isNativeGenerator, resume, type Activity } from './executionContext';

/** How a guarded body ended: returned (null) or threw `error`. */
export type BodyOutcome = null | { readonly error: unknown };

/**
 * `body()`, then `ending(outcome)`, as one host iterator: what the generator
 *
 *     function* () { let outcome = null; try { yield* body(); } catch (error) { outcome = { error }; } yield* ending(outcome); }
 *
 * does, without being a generator level of its own. A context's outermost activities (a
 * thread's life around its guest code) are resumed at every switch to the context, and a method
 * call costs a fraction of a generator resumption (issue 10). `body` is called at the first
 * `next()`. Only `next()` is used by the run loop; `return` and `throw` close the body.
 */
export class GuardedActivity implements Activity {
  private running: Activity | null = null;
  /** Whether `running` is a native generator (resumed through executionContext's `resume`). */
  private native = false;
  private ended: Activity | null = null;

  constructor(
    private readonly body: () => Activity,
    private readonly ending: (outcome: BodyOutcome) => Activity,
  ) {}

  next(): IteratorResult<void, void> {
    if (this.ended === null) {
      try {
        let running = this.running;
        if (running === null) {
          running = this.running = this.body();
          this.native = isNativeGenerator(running);
        }
        const result = resume(running, this.native);
        if (result.done !== true) return result;
        this.ended = this.ending(null);
      } catch (error) {
        this.ended = this.ending({ error });
      }
      this.running = null;
    }
    return this.ended.next();
  }

  return(): IteratorResult<void, void> {
    this.running?.return();
    this.ended?.return();
    return { done: true, value: undefined };
  }

  throw(error: unknown): IteratorResult<void, void> {
    this.return();
    throw error;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
