import type { ScoredRecord, StoredRecord, VectorStore } from '../vector-store/vector-store.port';
import { CandidateTexts } from './candidate-texts';
import { chunkHash } from './document-metadata';

/** A chunk as stored: its hash written beside its text, unless `hash` says otherwise. */
const chunk = (id: string, text: string, hash: string | null = chunkHash(text)): StoredRecord => ({
  id,
  text,
  metadata: { document_id: id.split('#')[0], ...(hash === null ? {} : { chunk_hash: hash }) },
});

/** A store holding `records`: queries answer all of them, by descending score. */
function storeOf(records: StoredRecord[]) {
  const held = new Map(records.map((record) => [record.id, record]));
  const store = {
    query: jest.fn(
      (_c: string, _e: number[], _k: number, _w?: unknown, options?: { withTexts?: boolean }) =>
        Promise.resolve(
          [...held.values()].map((record, i): ScoredRecord => ({
            ...record,
            text: options?.withTexts === false ? '' : record.text,
            score: 1 - i / 10,
          })),
        ),
    ),
    getByIds: jest.fn((_c: string, ids: string[]) =>
      Promise.resolve(ids.flatMap((id) => held.get(id) ?? [])),
    ),
  };
  return { store, held, texts: new CandidateTexts(store as unknown as VectorStore, 100, 20) };
}

const textsOf = (hits: ScoredRecord[]) => hits.map((hit) => hit.text);

describe('CandidateTexts', () => {
  it('fetches candidates without texts, then only the texts it has not cached', async () => {
    const { store, held, texts } = storeOf([chunk('a#0', 'alpha'), chunk('b#0', 'beta')]);
    expect(textsOf(await texts.query('c', [1], 2))).toEqual(['alpha', 'beta']);
    expect(store.query.mock.calls[0][4]).toEqual({ withTexts: false });
    expect(store.getByIds.mock.calls[0][1]).toEqual(['a#0', 'b#0']);

    held.set('c#0', chunk('c#0', 'gamma'));
    expect(textsOf(await texts.query('c', [1], 3))).toEqual(['alpha', 'beta', 'gamma']);
    expect(store.getByIds.mock.calls[1][1]).toEqual(['c#0']);
    expect(await texts.query('c', [1], 3)).toHaveLength(3);
    expect(store.getByIds).toHaveBeenCalledTimes(2);
    expect(store.query).toHaveBeenCalledTimes(3);
  });

  it('never serves an edited chunk its old text: the edit comes with another hash', async () => {
    const { held, texts } = storeOf([chunk('a#0', 'old words')]);
    expect(textsOf(await texts.query('c', [1], 1))).toEqual(['old words']);
    held.set('a#0', chunk('a#0', 'new words'));
    expect(textsOf(await texts.query('c', [1], 1))).toEqual(['new words']);
  });

  it('queries once more with texts when a chunk changed between its two calls', async () => {
    const { store, held, texts } = storeOf([chunk('a#0', 'old words')]);
    store.getByIds.mockImplementationOnce(() => {
      held.set('a#0', chunk('a#0', 'new words'));
      return Promise.resolve([held.get('a#0')!]);
    });
    expect(textsOf(await texts.query('c', [1], 1, { k: 1 }))).toEqual(['new words']);
    expect(store.query.mock.calls[1]).toEqual(['c', [1], 1, { k: 1 }]);
  });

  it('fetches the texts of chunks without a hash, then asks for texts with their candidates', async () => {
    const { store, texts } = storeOf([chunk('a#0', 'alpha', null), chunk('b#0', 'beta')]);
    expect(textsOf(await texts.query('legacy', [1], 2))).toEqual(['alpha', 'beta']);
    expect(store.getByIds.mock.calls[0][1]).toEqual(['a#0', 'b#0']);
    expect(textsOf(await texts.query('legacy', [1], 2))).toEqual(['alpha', 'beta']);
    expect(store.query.mock.calls[1]).toEqual(['legacy', [1], 2, undefined]);
    expect(store.getByIds).toHaveBeenCalledTimes(1);
    // Other collections keep the cheaper path.
    await texts.query('other', [1], 2);
    expect(store.query.mock.calls[2][4]).toEqual({ withTexts: false });
  });

  it('serves a text longer than its bound without keeping it', async () => {
    const long = 'x'.repeat(21);
    const { store, texts } = storeOf([chunk('a#0', long)]);
    expect(textsOf(await texts.query('c', [1], 1))).toEqual([long]);
    expect(textsOf(await texts.query('c', [1], 1))).toEqual([long]);
    expect(store.getByIds).toHaveBeenCalledTimes(2);
  });

  it('does not cache a text under a hash that is not its own', async () => {
    const { store, texts } = storeOf([chunk('a#0', 'alpha', chunkHash('beta'))]);
    expect(textsOf(await texts.query('c', [1], 1))).toEqual(['alpha']);
    expect(textsOf(await texts.query('c', [1], 1))).toEqual(['alpha']);
    expect(store.getByIds).toHaveBeenCalledTimes(2);
  });
});
