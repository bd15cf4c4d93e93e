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
});
