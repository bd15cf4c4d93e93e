import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { UpstreamTimeoutError } from '../common/domain-errors';

const NEVER_ABORTED = new AbortController().signal;

/**
 * Per-call deadlines for a client whose fetch options are fixed at construction.
 *
 * `signal` is handed to the client once (fetchOptions.signal); it forwards to the abort signal of
 * whichever `run()` call is current in this async context, so each request the client sends is
 * aborted when its own call's deadline passes. fetch only reads `aborted`, `reason` and the
 * listener methods of a signal, which is all the forwarder provides; it inherits from
 * AbortSignal.prototype because fetch on Node 24 rejects a signal that is not an AbortSignal.
 */
export class RequestDeadline {
  private readonly current = new AsyncLocalStorage<AbortSignal>();
  readonly signal: AbortSignal;

  constructor(private readonly what: string) {
    const active = () => this.active();
    this.signal = Object.create(AbortSignal.prototype, {
      aborted: { get: () => active().aborted },
      reason: { get: (): unknown => active().reason },
      addEventListener: {
        value: (...args: Parameters<AbortSignal['addEventListener']>) =>
          active().addEventListener(...args),
      },
      removeEventListener: {
        value: (...args: Parameters<AbortSignal['removeEventListener']>) =>
          active().removeEventListener(...args),
      },
      throwIfAborted: { value: () => active().throwIfAborted() },
    }) as AbortSignal;
  }

  /** The signal of the `run()` call current in this async context (never aborted outside one). */
  active(): AbortSignal {
    return this.current.getStore() ?? NEVER_ABORTED;
  }

  /** Runs `fn`, aborting its requests after `timeoutMs`; then throws UpstreamTimeoutError. */
  async run<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(timeoutMs);
    // One call may fan out into many requests (listing collections describes each in parallel),
    // each listening on this signal: that is expected, not a leak.
    setMaxListeners(0, signal);
    // Also settles calls that wait on something other than a request.
    const expired = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
    );
    try {
      return await this.current.run(signal, () => Promise.race([fn(), expired]));
    } catch (error) {
      // The client rewraps the abort as a connection error; our own signal tells them apart.
      if (signal.aborted) throw new UpstreamTimeoutError(this.what, timeoutMs, { cause: error });
      throw error;
    }
  }
}
