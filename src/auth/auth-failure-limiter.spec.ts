import { AuthFailureLimiter } from './auth-failure-limiter';

describe('AuthFailureLimiter', () => {
  const limiter = () => new AuthFailureLimiter({ limit: 3, windowMs: 10_000 });

  it('lets an address fail up to the limit, then names the seconds left in its window', () => {
    const failures = limiter();
    for (let i = 0; i < 3; i += 1) {
      expect(failures.retryAfterSeconds('a', 1000)).toBe(0);
      failures.recordFailure('a', 1000);
    }
    expect(failures.retryAfterSeconds('a', 1000)).toBe(10);
    expect(failures.retryAfterSeconds('a', 9_500)).toBe(2);
    expect(failures.retryAfterSeconds('b', 1000)).toBe(0);
  });

  it('starts afresh once the window has ended', () => {
    const failures = limiter();
    for (let i = 0; i < 3; i += 1) failures.recordFailure('a', 0);
    expect(failures.retryAfterSeconds('a', 10_000)).toBe(0);
    failures.recordFailure('a', 10_000);
    expect(failures.retryAfterSeconds('a', 10_000)).toBe(0);
  });

  it('tracks a bounded number of addresses, forgetting the window that ends soonest', () => {
    const failures = new AuthFailureLimiter({ limit: 1, windowMs: 60_000 });
    failures.recordFailure('first', 0);
    for (let i = 0; i < 100_000; i += 1) failures.recordFailure(`other-${i}`, 1);
    expect(failures.retryAfterSeconds('first', 2)).toBe(0);
    expect(failures.retryAfterSeconds('other-0', 2)).toBe(60);
    expect(failures.retryAfterSeconds('other-99999', 2)).toBe(60);
  });
});
