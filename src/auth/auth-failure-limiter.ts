import { AuthConfig } from './auth.config';

/** Addresses tracked at most; beyond, the window that ends soonest is dropped. */
const MAX_TRACKED_ADDRESSES = 100_000;

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Failed authentications per client address in fixed windows (AUTH_FAILURE_LIMIT per
 * AUTH_FAILURE_WINDOW_MS). In memory, so per API instance, like the request throttler.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: AuthConfig['failures']) {}

  /** Seconds until `address` may try again; 0 while it is under the limit. */
  retryAfterSeconds(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (!window || window.endsAt <= now || window.failures < this.limits.limit) return 0;
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
  }

  recordFailure(address: string, now = Date.now()): void {
    const window = this.windows.get(address);
    if (window && window.endsAt > now) {
      window.failures += 1;
      return;
    }
    this.windows.delete(address);
    // Insertion order is window order: the first entry ends soonest, so it goes first (O(1)).
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) {
      this.windows.delete(this.windows.keys().next().value as string);
    }
    this.windows.set(address, { failures: 1, endsAt: now + this.limits.windowMs });
  }
}
