import type { StoredRecord, VectorRecord, VectorStore } from '../vector-store/vector-store.port';
import { parseRecord, SystemRecordsStore } from './system-records.store';

function setup() {
  const records = new Map<string, StoredRecord>();
  const store = {
    ensureCollection: jest.fn().mockResolvedValue({}),
    upsert: jest.fn((_: string, batch: VectorRecord[]) => {
      for (const { id, text, metadata } of batch) records.set(id, { id, text, metadata });
      return Promise.resolve();
    }),
    getByIds: jest.fn((_: string, ids: string[]) =>
      Promise.resolve(ids.flatMap((id) => records.get(id) ?? [])),
    ),
    find: jest.fn(() => Promise.resolve([...records.values()])),
    deleteWhere: jest.fn().mockResolvedValue(undefined),
  };
  return { store, records: new SystemRecordsStore(store as unknown as VectorStore, 'jobs') };
}

describe('SystemRecordsStore', () => {
  it('creates its system collection once, with a one-dimensional system fingerprint', async () => {
    const { store, records } = setup();
    expect(records.collection).toBe('rag-system-jobs');
    await records.get('a');
    await records.find({});
    await records.deleteWhere({ kind: { $eq: 'job' } });
    expect(store.ensureCollection).toHaveBeenCalledTimes(1);
    expect(store.ensureCollection).toHaveBeenCalledWith('rag-system-jobs', {
      provider: 'system',
      model: 'jobs',
      dimension: 1,
    });
    expect(store.deleteWhere).toHaveBeenCalledWith('rag-system-jobs', { kind: { $eq: 'job' } });
  });

  it('tries to create the collection again after a failure', async () => {
    const { store, records } = setup();
    store.ensureCollection.mockRejectedValueOnce(new Error('down'));
    await expect(records.get('a')).rejects.toThrow('down');
    await expect(records.get('a')).resolves.toBeUndefined();
    expect(store.ensureCollection).toHaveBeenCalledTimes(2);
  });

  it('stores JSON values and raw texts, each with the same one-dimensional vector', async () => {
    const { store, records } = setup();
    await records.put('job:1', { state: 'queued' }, { kind: 'job' });
    await records.write([{ id: 'cancel:1', text: 'cancel', metadata: { kind: 'cancel' } }]);
    expect(store.upsert).toHaveBeenCalledWith('rag-system-jobs', [
      { id: 'job:1', embedding: [1], text: '{"state":"queued"}', metadata: { kind: 'job' } },
    ]);
    expect(await records.get('job:1')).toEqual({ state: 'queued' });
    expect((await records.read(['cancel:1', 'cancel:2'])).map((r) => r.text)).toEqual(['cancel']);
    expect((await records.find({})).slice(0, 1).map(parseRecord)).toEqual([{ state: 'queued' }]);
  });

  it('writes nothing, not even the collection, for no records', async () => {
    const { store, records } = setup();
    await records.write([]);
    expect(store.ensureCollection).not.toHaveBeenCalled();
    expect(store.upsert).not.toHaveBeenCalled();
  });
});
