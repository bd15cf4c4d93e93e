import { RestartBackoff } from './chroma-embedded.supervisor';

describe('RestartBackoff', () => {
  it('doubles from the base delay up to the cap', () => {
    const backoff = new RestartBackoff(250, 3000);
    expect(Array.from({ length: 7 }, () => backoff.next())).toEqual([
      250, 500, 1000, 2000, 3000, 3000, 3000,
    ]);
  });

  it('starts over after a reset', () => {
    const backoff = new RestartBackoff(100, 1000);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
