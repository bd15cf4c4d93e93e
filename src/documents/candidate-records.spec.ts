import type { ScoredRecord, StoredRecord, VectorStore } from '../vector-store/vector-store.port';
import { CandidateRecords, type CandidateCacheLimits } from './candidate-records';
import { chunkHash } from './document-metadata';

/** A chunk as stored: its hash written beside its text, unless `hash` says otherwise. */
const chunk = (
  id: string,
  text: string,
  hash: string | null = chunkHash(text),
  extra: Record<string, string> = {},
): StoredRecord => ({
  id,
  text,
  metadata: {
    document_id: id.split('#')[0],
    ...extra,
    ...(hash === null ? {} : { chunk_hash: hash }),
  },
});

const LIMITS: CandidateCacheLimits = {
  textEntries: 100,
  maxTextChars: 20,
  metadataEntries: 100,
  metadataTtlMs: 60_000,
};

/**
 * A store holding `records`: queries answer all of them, by descending score. `write` changes
 * them as a write through the store would, token included; `held` changes them around it.
 */
function storeOf(records: StoredRecord[], limits: Partial<CandidateCacheLimits> = {}) {
  // Not at 0: lru-cache reads a start time of 0 as "no TTL".
  const clock = { ms: 1_000, now: () => clock.ms };
  const held = new Map(records.map((record) => [record.id, record]));
  const state = { token: 'w1' as string | undefined, writes: 1 };
  const scored = () =>
    [...held.values()].map((record, i): ScoredRecord => ({ ...record, score: 1 - i / 10 }));
  const store = {
    query: jest.fn(() => Promise.resolve(scored())),
    queryIds: jest.fn(() =>
      Promise.resolve({
        hits: scored().map(({ id, score }) => ({ id, score })),
        writeToken: state.token,
      }),
    ),
    getByIds: jest.fn((_c: string, ids: string[], options?: { withTexts?: boolean }) =>
      Promise.resolve(
        ids.flatMap((id) => {
          const record = held.get(id);
          if (!record) return [];
          return options?.withTexts === false ? { ...record, text: '' } : record;
        }),
      ),
    ),
  };
  const write = (record: StoredRecord) => {
    held.set(record.id, record);
    state.token = `w${++state.writes}`;
  };
  const candidates = new CandidateRecords(
    store as unknown as VectorStore,
    {
      ...LIMITS,
      ...limits,
    },
    clock,
  );
  return { store, held, state, write, clock, candidates };
}

const textsOf = (hits: ScoredRecord[]) => hits.map((hit) => hit.text);
const idsAsked = (mock: jest.Mock) => mock.mock.calls.map((call: unknown[]) => call[1]);

describe('CandidateRecords', () => {
  it('queries ids and scores, fetches rows once, then answers from its caches', async () => {
    const { store, candidates } = storeOf([chunk('a#0', 'alpha'), chunk('b#0', 'beta')]);
    const first = await candidates.query('c', [1], 2, { k: 1 });
    expect(first).toEqual([
      { ...chunk('a#0', 'alpha'), score: 1 },
      { ...chunk('b#0', 'beta'), score: 0.9 },
    ]);
    expect(store.queryIds.mock.calls[0]).toEqual(['c', [1], 2, { k: 1 }]);
    expect(store.getByIds.mock.calls).toEqual([
      ['c', ['a#0', 'b#0'], { withTexts: false }],
      ['c', ['a#0', 'b#0']],
    ]);
    await expect(candidates.query('c', [1], 2)).resolves.toEqual(first);
    expect(store.getByIds).toHaveBeenCalledTimes(2);
    expect(store.query).not.toHaveBeenCalled();
  });

  it('fetches the metadata again after a write, and only the texts whose hash changed', async () => {
    const { store, write, candidates } = storeOf([chunk('a#0', 'alpha'), chunk('b#0', 'beta')]);
    await candidates.query('c', [1], 2);
    write(chunk('b#0', 'beta 2', undefined, { title: 'new' }));
    const after = await candidates.query('c', [1], 2);
    expect(textsOf(after)).toEqual(['alpha', 'beta 2']);
    expect(after[1].metadata.title).toBe('new');
    expect(idsAsked(store.getByIds).slice(2)).toEqual([['a#0', 'b#0'], ['b#0']]);
  });

  it('serves cached metadata while the token is unchanged, at most for its TTL', async () => {
    const { store, held, clock, candidates } = storeOf([
      chunk('a#0', 'alpha', undefined, { t: '1' }),
    ]);
    await candidates.query('c', [1], 1);
    // Written around the store: the token does not change.
    held.set('a#0', chunk('a#0', 'alpha', undefined, { t: '2' }));
    clock.ms += LIMITS.metadataTtlMs - 1;
    expect((await candidates.query('c', [1], 1))[0].metadata.t).toBe('1');
    clock.ms += 2;
    expect((await candidates.query('c', [1], 1))[0].metadata.t).toBe('2');
    expect(store.getByIds).toHaveBeenCalledTimes(3);
  });

  it('keeps no metadata without a write token, or with the metadata cache off', async () => {
    for (const [token, limits] of [
      [undefined, {}],
      ['w1', { metadataEntries: 0 }],
      ['w1', { metadataTtlMs: 0 }],
    ] as const) {
      const { store, state, candidates } = storeOf([chunk('a#0', 'alpha')], limits);
      state.token = token;
      await candidates.query('c', [1], 1);
      await candidates.query('c', [1], 1);
      // Metadata twice, the text once (texts by hash need no token).
      expect(store.getByIds.mock.calls).toEqual([
        ['c', ['a#0'], { withTexts: false }],
        ['c', ['a#0']],
        ['c', ['a#0'], { withTexts: false }],
      ]);
    }
  });

  it('keeps one collection’s metadata apart from another’s', async () => {
    const { store, candidates } = storeOf([chunk('a#0', 'alpha')]);
    await candidates.query('c', [1], 1);
    await candidates.query('d', [1], 1);
    expect(store.getByIds.mock.calls.map((call) => call[0])).toEqual(['c', 'c', 'd']);
  });

  it('never serves an edited chunk its old text: the edit comes with another hash', async () => {
    const { held, candidates } = storeOf([chunk('a#0', 'old words')]);
    expect(textsOf(await candidates.query('c', [1], 1))).toEqual(['old words']);
    // Even written around the store, with the metadata still cached: the text is fetched.
    held.set('a#0', chunk('a#0', 'new words'));
    expect(textsOf(await candidates.query('c', [1], 1))).toEqual(['old words']);
  });

  it('queries once more with rows when a chunk changed or went between the calls', async () => {
    const changed = storeOf([chunk('a#0', 'old words')]);
    changed.store.getByIds.mockImplementationOnce((_c: string, ids: string[]) => {
      const metadata = chunk('a#0', 'old words').metadata;
      changed.held.set('a#0', chunk('a#0', 'new words'));
      return Promise.resolve(ids.map((id) => ({ id, text: '', metadata })));
    });
    expect(textsOf(await changed.candidates.query('c', [1], 1, { k: 1 }))).toEqual(['new words']);
    expect(changed.store.query.mock.calls).toEqual([['c', [1], 1, { k: 1 }]]);

    const gone = storeOf([chunk('a#0', 'alpha'), chunk('b#0', 'beta')]);
    gone.store.queryIds.mockImplementationOnce(() => {
      const answer = {
        hits: [
          { id: 'a#0', score: 1 },
          { id: 'b#0', score: 0.9 },
        ],
        writeToken: 'w1',
      };
      gone.held.delete('b#0');
      return Promise.resolve(answer);
    });
    expect(textsOf(await gone.candidates.query('c', [1], 2))).toEqual(['alpha']);
    expect(gone.store.query).toHaveBeenCalledTimes(1);
  });

  it('fetches the texts of chunks without a hash, then asks for rows with their candidates', async () => {
    const { store, candidates } = storeOf([chunk('a#0', 'alpha', null), chunk('b#0', 'beta')]);
    expect(textsOf(await candidates.query('legacy', [1], 2))).toEqual(['alpha', 'beta']);
    expect(idsAsked(store.getByIds)).toEqual([
      ['a#0', 'b#0'],
      ['a#0', 'b#0'],
    ]);
    expect(textsOf(await candidates.query('legacy', [1], 2))).toEqual(['alpha', 'beta']);
    expect(store.query.mock.calls).toEqual([['legacy', [1], 2, undefined]]);
    expect(store.getByIds).toHaveBeenCalledTimes(2);
    // Other collections keep the cheaper path.
    await candidates.query('other', [1], 2);
    expect(store.queryIds).toHaveBeenCalledTimes(2);
  });

  it('serves a text longer than its bound without keeping it', async () => {
    const long = 'x'.repeat(21);
    const { store, candidates } = storeOf([chunk('a#0', long)]);
    expect(textsOf(await candidates.query('c', [1], 1))).toEqual([long]);
    expect(textsOf(await candidates.query('c', [1], 1))).toEqual([long]);
    expect(idsAsked(store.getByIds)).toEqual([['a#0'], ['a#0'], ['a#0']]);
  });

  it('does not cache a text under a hash that is not its own', async () => {
    const { store, candidates } = storeOf([chunk('a#0', 'alpha', chunkHash('beta'))]);
    expect(textsOf(await candidates.query('c', [1], 1))).toEqual(['alpha']);
    expect(textsOf(await candidates.query('c', [1], 1))).toEqual(['alpha']);
    expect(store.getByIds).toHaveBeenCalledTimes(3);
  });
});
