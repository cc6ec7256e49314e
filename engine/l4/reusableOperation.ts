import type { Operation } from '../machine/executionContext';

/**
 * A host iterator that stands in for a generator on a hot path (issue 10): one object per
 * thread, reused by every call, so that the call creates no host generator. Subclasses
 * implement `step` (one resumption) and `reset` (forget a call that ended by an exception).
 * Use through `yield*`, which reads each result at once (results may be reused objects).
 */
export abstract class ReusableOperation<R> implements Operation<R> {
  protected abstract step(): IteratorResult<void, R>;
  protected abstract reset(): void;

  next(): IteratorResult<void, R> {
    try {
      return this.step();
    } catch (error) {
      this.reset();
      throw error;
    }
  }

  return(value: R): IteratorResult<void, R> {
    this.reset();
    return { done: true, value };
  }

  throw(error: unknown): IteratorResult<void, R> {
    this.reset();
    throw error;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
