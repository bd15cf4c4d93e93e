import { documentIdProblem } from './document-id';

describe('documentIdProblem', () => {
  it.each(['handbook/onboarding', 'ümlaut – dash', 'a b', 'x%231.txt'])('accepts %j', (id) => {
    expect(documentIdProblem(id)).toBeUndefined();
  });

  it.each([' ', '\u3000', 'a#1', 'a\u0007b', 'a\u200bb', 'a\u202eb', '\ufeffa', 'a\u2066b'])(
    'refuses %j',
    (id) => {
      expect(documentIdProblem(id)).toEqual(expect.any(String));
    },
  );
});
