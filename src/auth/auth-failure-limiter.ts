import { AuthConfig } from './auth.config';

/** Addresses tracked at most; beyond, expired windows are dropped, then the oldest. */
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
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) this.forgetExpired(now);
    this.windows.set(address, { failures: 1, endsAt: now + this.limits.windowMs });
  }

  private forgetExpired(now: number): void {
    for (const [address, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(address);
    }
    // Still full: insertion order is window order, so the first entries end soonest.
    const excess = this.windows.size - MAX_TRACKED_ADDRESSES + 1;
    for (const address of [...this.windows.keys()].slice(0, Math.max(0, excess))) {
      this.windows.delete(address);
    }
  }
}
