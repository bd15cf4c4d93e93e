import { parseEnv } from '../config/env';
import { CollectionRegistry, REGISTRY_COLLECTION, type RegistryEntry } from './collection-registry';
import { collectionsConfigFrom } from './collections.config';
import type { StoredRecord, VectorRecord, VectorStore } from '../vector-store/vector-store.port';

const fingerprint = { provider: 'local', model: 'm', dimension: 3 };
const entry: RegistryEntry = {
  logical: 'docs',
  active: { name: 'docs__v1', generation: 1, fingerprint },
  retired: [],
};

function setup(cacheMs: string) {
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
  };
  const registry = new CollectionRegistry(
    store as unknown as VectorStore,
    collectionsConfigFrom(parseEnv({ REGISTRY_CACHE_MS: cacheMs })),
  );
  return { registry, store };
}

describe('CollectionRegistry', () => {
  it('stores one record per logical name in the system collection', async () => {
    const { registry, store } = setup('1000');
    expect(await registry.get('docs')).toBeUndefined();
    await registry.put(entry);
    expect(await registry.get('docs')).toEqual(entry);
    expect(store.upsert).toHaveBeenCalledWith(
      REGISTRY_COLLECTION,
      [expect.objectContaining({ id: 'docs', embedding: [1] })],
      { writeToken: false },
    );
    expect(store.ensureCollection).toHaveBeenCalledTimes(1);
  });

  it('serves resolutions from a short cache that its own writes refresh', async () => {
    const { registry, store } = setup('60000');
    expect(await registry.resolve('docs')).toBeUndefined();
    expect(await registry.resolve('docs')).toBeUndefined();
    expect(store.find).toHaveBeenCalledTimes(1);
    await registry.put(entry);
    expect(await registry.resolve('docs')).toEqual(entry);
    expect(store.find).toHaveBeenCalledTimes(2);
  });

  it('does not cache a failed read', async () => {
    const { registry, store } = setup('60000');
    store.find.mockRejectedValueOnce(new Error('down'));
    await expect(registry.resolve('docs')).rejects.toThrow('down');
    await expect(registry.resolve('docs')).resolves.toBeUndefined();
  });
});
