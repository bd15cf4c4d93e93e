import type { VectorStore } from '../vector-store/vector-store.port';
import { parseRecord, SystemRecordsStore } from './system-records.store';

const job = { id: 'job:1', text: '{"state":"queued"}', metadata: { kind: 'job' } };

function setup() {
  const store = {
    ensureCollection: jest.fn().mockResolvedValue({}),
    upsert: jest.fn().mockResolvedValue(undefined),
    getByIds: jest.fn().mockResolvedValue([]),
    find: jest.fn().mockResolvedValue([]),
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
    // Nothing queries system records by similarity: their writes leave the write token alone.
    expect(store.deleteWhere).toHaveBeenCalledWith(
      'rag-system-jobs',
      { kind: { $eq: 'job' } },
      { writeToken: false },
    );
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
    expect(store.upsert.mock.calls).toEqual([
      ['rag-system-jobs', [{ ...job, embedding: [1] }], { writeToken: false }],
      [
        'rag-system-jobs',
        [{ id: 'cancel:1', text: 'cancel', metadata: { kind: 'cancel' }, embedding: [1] }],
        { writeToken: false },
      ],
    ]);
  });

  it('reads JSON values back, and undefined for a missing id', async () => {
    const { store, records } = setup();
    store.getByIds.mockResolvedValueOnce([job]);
    expect(await records.get('job:1')).toEqual({ state: 'queued' });
    expect(store.getByIds).toHaveBeenCalledWith('rag-system-jobs', ['job:1']);
    expect(await records.get('job:2')).toBeUndefined();
    store.find.mockResolvedValueOnce([job]);
    expect((await records.find({ kind: { $eq: 'job' } }, 5)).map(parseRecord)).toEqual([
      { state: 'queued' },
    ]);
    expect(store.find).toHaveBeenCalledWith('rag-system-jobs', { kind: { $eq: 'job' } }, 5);
  });

  it('writes nothing, not even the collection, for no records', async () => {
    const { store, records } = setup();
    await records.write([]);
    expect(store.ensureCollection).not.toHaveBeenCalled();
    expect(store.upsert).not.toHaveBeenCalled();
  });
});
