import { InvalidInputError } from '../common/domain-errors';
import { CachingEmbedder } from './caching.embedder';
import { Embedder, type EmbedderFingerprint } from './embedder.port';

class FakeEmbedder extends Embedder {
  readonly fingerprint: EmbedderFingerprint = { provider: 'fake', model: 'm', dimension: 1 };
  readonly documentCalls: { texts: string[]; titles?: (string | undefined)[] }[] = [];
  queryCalls = 0;

  embedDocuments(texts: string[], titles?: (string | undefined)[]): Promise<number[][]> {
    this.documentCalls.push({ texts, titles });
    return Promise.resolve(texts.map((t) => [t.length]));
  }

  embedQuery(text: string): Promise<number[]> {
    this.queryCalls++;
    return Promise.resolve([text.length]);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }
}

describe('CachingEmbedder', () => {
  it('makes no further batch call once the signal aborted, passing the signal on', async () => {
    const abort = new AbortController();
    const reason = new Error('deadline passed');
    const signals: (AbortSignal | undefined)[] = [];
    class AbortingEmbedder extends FakeEmbedder {
      override embedDocuments(
        texts: string[],
        titles?: (string | undefined)[],
        signal?: AbortSignal,
      ): Promise<number[][]> {
        signals.push(signal);
        abort.abort(reason);
        return super.embedDocuments(texts, titles);
      }
    }
    const embedder = new CachingEmbedder(new AbortingEmbedder(), { cacheSize: 10, batchSize: 1 });
    await expect(embedder.embedDocuments(['a', 'b', 'c'], undefined, abort.signal)).rejects.toBe(
      reason,
    );
    expect(signals).toEqual([abort.signal]);
  });

  it('splits documents into batches and keeps order and titles aligned', async () => {
    const inner = new FakeEmbedder();
    const embedder = new CachingEmbedder(inner, { cacheSize: 10, batchSize: 2 });
    const vectors = await embedder.embedDocuments(
      ['a', 'bb', 'ccc', 'dddd', 'eeeee'],
      ['t1', 't2', 't3', 't4', 't5'],
    );
    expect(vectors).toEqual([[1], [2], [3], [4], [5]]);
    expect(inner.documentCalls.map((c) => c.texts)).toEqual([
      ['a', 'bb'],
      ['ccc', 'dddd'],
      ['eeeee'],
    ]);
    expect(inner.documentCalls[2].titles).toEqual(['t5']);
    expect(embedder.fingerprint).toBe(inner.fingerprint);
  });

  it('lets queued macrotasks (other requests, timers) run between batches', async () => {
    const inner = new FakeEmbedder();
    const embedder = new CachingEmbedder(inner, { cacheSize: 10, batchSize: 1 });
    const batchesBeforeTimer: number[] = [];
    setImmediate(() => batchesBeforeTimer.push(inner.documentCalls.length));
    await embedder.embedDocuments(['a', 'b', 'c']);
    expect(batchesBeforeTimer).toEqual([1]);
  });

  it('rejects titles that do not line up with texts', async () => {
    const embedder = new CachingEmbedder(new FakeEmbedder(), { cacheSize: 10, batchSize: 2 });
    await expect(embedder.embedDocuments(['a', 'b'], ['t'])).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('caches query vectors and hands out copies', async () => {
    const inner = new FakeEmbedder();
    const embedder = new CachingEmbedder(inner, { cacheSize: 10, batchSize: 2 });
    const first = await embedder.embedQuery('hello');
    first[0] = 99;
    expect(await embedder.embedQuery('hello')).toEqual([5]);
    expect(inner.queryCalls).toBe(1);
  });

  it('evicts the least recently used query and can be switched off', async () => {
    const inner = new FakeEmbedder();
    const small = new CachingEmbedder(inner, { cacheSize: 1, batchSize: 2 });
    await small.embedQuery('a');
    await small.embedQuery('b');
    await small.embedQuery('a');
    expect(inner.queryCalls).toBe(3);

    const off = new FakeEmbedder();
    const uncached = new CachingEmbedder(off, { cacheSize: 0, batchSize: 2 });
    await uncached.embedQuery('a');
    await uncached.embedQuery('a');
    expect(off.queryCalls).toBe(2);
  });

  it('rejects an empty query', async () => {
    const embedder = new CachingEmbedder(new FakeEmbedder(), { cacheSize: 1, batchSize: 1 });
    await expect(embedder.embedQuery('  ')).rejects.toBeInstanceOf(InvalidInputError);
  });
});
