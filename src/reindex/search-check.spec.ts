import type { Embedder } from '../embeddings/embedder.port';
import type { ScoredRecord, StoredRecord, VectorStore } from '../vector-store/vector-store.port';
import { SearchCheck, searchCheckFailure } from './search-check';

/** Chunk i belongs to document `doc-i`; its query embedding carries i. */
const CHUNKS: StoredRecord[] = Array.from({ length: 10 }, (_, i) => ({
  id: `doc-${i}#0`,
  text: `chunk ${i}`,
  metadata: { document_id: `doc-${i}` },
}));

const embedder = { embedQuery: (text: string) => Promise.resolve([Number(text.split(' ')[1])]) };
const hit = (doc: number): ScoredRecord => ({
  id: `doc-${doc}#0`,
  text: '',
  metadata: { document_id: `doc-${doc}` },
  score: 1,
});

/** A store whose `old` collection answers each probe with its own document and the next one,
 * and whose `new` collection answers as `answerNew` says. */
const storeWith = (answerNew: (i: number) => number[]) =>
  ({
    describeCollection: jest.fn().mockResolvedValue({ name: 'old', count: CHUNKS.length }),
    getPage: jest.fn((_name: string, offset: number, limit: number) =>
      Promise.resolve(CHUNKS.slice(offset, offset + limit)),
    ),
    query: jest.fn((name: string, [i]: number[]) =>
      Promise.resolve((name === 'old' ? [i, (i + 1) % 10] : answerNew(i)).map(hit)),
    ),
  }) as unknown as VectorStore;

const sides = {
  old: { collection: 'old', embedder: embedder as unknown as Embedder },
  fresh: { collection: 'new', embedder: embedder as unknown as Embedder },
};
const options = { probes: 5, topK: 2, minAgreement: 0.8 };

describe('SearchCheck', () => {
  it('passes when both generations return the same documents', async () => {
    const store = storeWith((i) => [i, (i + 1) % 10]);
    const figures = await new SearchCheck(store, options).compare(sides.old, sides.fresh, true);
    expect(figures).toEqual({
      probes: 5,
      top_k: 2,
      overlap: 1,
      own_document_old: 5,
      own_document_new: 5,
      min_agreement: 0.8,
      passed: true,
    });
    // Probes are spread over the collection: offsets 0, 2, 4, 6, 8.
    expect((store.getPage as jest.Mock).mock.calls.map((call) => call[1])).toEqual([0, 2, 4, 6, 8]);
  });

  it('fails when the rebuilt generation loses the probes’ own documents (same embedder)', async () => {
    const store = storeWith((i) => [(i + 1) % 10, (i + 2) % 10]);
    const figures = await new SearchCheck(store, options).compare(sides.old, sides.fresh, true);
    expect(figures).toMatchObject({ overlap: 0.5, own_document_old: 5, own_document_new: 0 });
    expect(figures?.passed).toBe(false);
    expect(searchCheckFailure(figures!)).toBe(
      'search verification failed: mean overlap@2 of top documents 0.50, own document found for 5/5 probes by the old generation and 0/5 by the new (required agreement 0.8); the new generation was not switched to',
    );
  });

  it('with another embedder, judges by the own documents found, not by overlap', async () => {
    const reordered = storeWith((i) => [i, (i + 5) % 10]);
    const kept = await new SearchCheck(reordered, options).compare(sides.old, sides.fresh, false);
    expect(kept).toMatchObject({ overlap: 0.5, own_document_new: 5, passed: true });

    const lost = storeWith((i) => (i < 4 ? [i] : [(i + 3) % 10]));
    const figures = await new SearchCheck(lost, options).compare(sides.old, sides.fresh, false);
    // Own document found for probes 0 and 2 only: 2 < 0.8 × 5.
    expect(figures).toMatchObject({ own_document_old: 5, own_document_new: 2, passed: false });
  });

  it('judges the new generation alone when the old one cannot be asked', async () => {
    const store = storeWith((i) => (i < 6 ? [i] : []));
    const figures = await new SearchCheck(store, options).compare(undefined, sides.fresh, false);
    expect(figures).toMatchObject({ overlap: null, own_document_old: null, own_document_new: 3 });
    expect(figures?.passed).toBe(false);
    expect(searchCheckFailure(figures!)).toContain(
      'own document found by the new generation for 3/5 probes',
    );
  });

  it('is skipped with 0 probes or an empty collection', async () => {
    const store = storeWith((i) => [i]);
    await expect(
      new SearchCheck(store, { ...options, probes: 0 }).compare(sides.old, sides.fresh, true),
    ).resolves.toBeUndefined();
    (store.describeCollection as jest.Mock).mockResolvedValue({ name: 'old', count: 0 });
    await expect(
      new SearchCheck(store, options).compare(sides.old, sides.fresh, true),
    ).resolves.toBeUndefined();
  });
});
