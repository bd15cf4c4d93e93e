import { answerableChunks, scoredBySimilarity } from './abstention';

const chunk = (score: number, text: string) => ({ score, text });
const SEMVER = chunk(
  0.6,
  'Check whether a version satisfies a range: semver.satisfies(version, range).',
);
const CAPITALS = chunk(0.7, 'Capital letters in identifiers are split into words.');

describe('answerableChunks', () => {
  it('keeps the chunks scoring at least minScore, best first', () => {
    const low = chunk(0.3, 'Versions and ranges are compared by satisfies.');
    expect(
      answerableChunks('does a version satisfy a range?', [SEMVER, low], {
        minScore: 0.5,
        minCoverage: 0,
      }),
    ).toEqual([SEMVER]);
    expect(
      answerableChunks('does a version satisfy a range?', [SEMVER, low], {
        minScore: 0.3,
        minCoverage: 0,
      }),
    ).toEqual([SEMVER, low]);
  });

  it('answers when a kept chunk holds enough of the question content words', () => {
    // version, satisfi, range: all three are in the chunk (stemmed).
    expect(
      answerableChunks('Does a version satisfy the range?', [CAPITALS, SEMVER], {
        minScore: 0.5,
        minCoverage: 1,
      }),
    ).toEqual([CAPITALS, SEMVER]);
  });

  it('keeps nothing when no kept chunk covers the question, however high its score', () => {
    // capital, franc: only "capital" is in a chunk, half of the question's content words.
    const rule = { minScore: 0.5, minCoverage: 0.6 };
    expect(answerableChunks('What is the capital of France?', [CAPITALS, SEMVER], rule)).toEqual(
      [],
    );
    expect(
      answerableChunks('What is the capital of France?', [CAPITALS], {
        ...rule,
        minCoverage: 0.5,
      }),
    ).toEqual([CAPITALS]);
    // A chunk that covers the question but scores too low does not count.
    expect(
      answerableChunks('satisfies version range', [chunk(0.4, SEMVER.text), CAPITALS], rule),
    ).toEqual([]);
  });

  it('keeps nothing for a question without content words once coverage is asked for', () => {
    expect(answerableChunks('what is it?', [SEMVER], { minScore: 0, minCoverage: 0.1 })).toEqual(
      [],
    );
  });
});

describe('scoredBySimilarity', () => {
  it('weighs each result by its cosine, not by its ranking score, in the same order', () => {
    const ranked = [
      { id: 'a', score: 1, similarity: 0.41 },
      { id: 'b', score: 0.8, similarity: 0.62 },
    ];
    expect(scoredBySimilarity(ranked)).toEqual([
      { id: 'a', score: 0.41, similarity: 0.41 },
      { id: 'b', score: 0.62, similarity: 0.62 },
    ]);
  });
});
