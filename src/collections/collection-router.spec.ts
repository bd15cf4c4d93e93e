import { EmbedderMismatchError, NotFoundError } from '../common/domain-errors';
import { EmbedderCatalog } from '../embeddings/embedder-catalog';
import type { VectorStore } from '../vector-store/vector-store.port';
import type { CollectionRegistry, RegistryEntry } from './collection-registry';
import { CollectionRouter, type Target } from './collection-router';

const fingerprint = { provider: 'test', model: 'unit', dimension: 2 };
const other = { ...fingerprint, model: 'other' };
const generation = (name: string, n: number, fp = fingerprint) => ({
  name,
  generation: n,
  fingerprint: fp,
});
const entry: RegistryEntry = {
  logical: 'docs',
  active: generation('docs__v2', 2),
  previous: generation('docs__v1', 1),
  build: {
    runId: 'r',
    target: generation('docs__v3', 3),
    owner: 'o',
    leaseExpiresAt: Date.now() + 60_000,
    done: 0,
    total: 0,
    startedAt: 0,
    updatedAt: 0,
  },
  retired: [],
};

function setup() {
  const store = {
    hasCollection: jest.fn().mockResolvedValue(true),
    ensureCollection: jest.fn().mockResolvedValue({}),
    describeCollection: jest.fn().mockResolvedValue(undefined),
    describeFingerprint: jest.fn((name: string) => Promise.resolve({ name, fingerprint })),
    listCollections: jest.fn().mockResolvedValue([]),
  };
  const registry = {
    resolve: jest.fn().mockResolvedValue(undefined),
    entries: jest.fn().mockResolvedValue([]),
    get: jest.fn().mockResolvedValue(undefined),
    all: jest.fn().mockResolvedValue([]),
  };
  const embedder = { fingerprint, ready: jest.fn().mockResolvedValue(undefined) };
  const catalog = new EmbedderCatalog(embedder as never, () => {
    throw new Error('no local embedders in this spec');
  });
  const router = new CollectionRouter(
    store as unknown as VectorStore,
    catalog,
    registry as unknown as CollectionRegistry,
  );
  return { router, store, registry };
}

const names = (targets: Target[]) => targets.map((target) => target.name);

describe('CollectionRouter', () => {
  it('reads a collection without an entry as its own generation 0', async () => {
    const { router, store } = setup();
    await expect(router.readable('notes')).resolves.toMatchObject({ name: 'notes' });
    expect(store.describeFingerprint).toHaveBeenCalledWith('notes');
  });

  it('reads the active generation, and refuses a missing or foreign one', async () => {
    const { router, store, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    await expect(router.readable('docs')).resolves.toMatchObject({ name: 'docs__v2' });
    store.describeFingerprint.mockResolvedValueOnce(undefined as never);
    await expect(router.readable('docs')).rejects.toThrow(new NotFoundError('collection', 'docs'));
    store.describeFingerprint.mockResolvedValueOnce({ name: 'docs__v2', fingerprint: other });
    await expect(router.readable('docs')).rejects.toThrow(EmbedderMismatchError);
  });

  it('creates a new collection on first write, asking only whether it exists', async () => {
    const { router, store } = setup();
    store.hasCollection.mockResolvedValue(false);
    const targets = await router.writeTargets('notes');
    expect(targets).toMatchObject({ active: { name: 'notes' }, others: [] });
    expect(store.ensureCollection).toHaveBeenCalledWith('notes', fingerprint);
    expect(store.describeCollection).not.toHaveBeenCalled();
    await expect(router.writeTargets('gone', { create: false })).resolves.toMatchObject({
      active: { name: 'gone' },
    });
    expect(store.ensureCollection).toHaveBeenCalledTimes(1);
  });

  it('writes to the active generation, then the building and the previous ones', async () => {
    const { router, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    const targets = await router.writeTargets('docs');
    expect(names([targets.active, ...targets.others])).toEqual([
      'docs__v2',
      'docs__v3',
      'docs__v1',
    ]);
    const written: string[] = [];
    await router.toEach(targets, (target) => Promise.resolve(void written.push(target.name)));
    expect(written).toEqual(['docs__v2', 'docs__v3', 'docs__v1']);
  });

  it('skips a build target that is gone and a failing previous, but never a failing active', async () => {
    const { router, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    const targets = await router.writeTargets('docs');
    const failing = (failures: Record<string, Error>) => (target: Target) =>
      failures[target.name] ? Promise.reject(failures[target.name]) : Promise.resolve();
    await expect(
      router.toEach(
        targets,
        failing({
          docs__v3: new NotFoundError('collection', 'docs__v3'),
          docs__v1: new Error('down'),
        }),
      ),
    ).resolves.toBeUndefined();
    await expect(router.toEach(targets, failing({ docs__v3: new Error('down') }))).rejects.toThrow(
      'down',
    );
    await expect(router.toEach(targets, failing({ docs__v2: new Error('down') }))).rejects.toThrow(
      'down',
    );
  });

  it('lists logical names by their active generation, hiding physical and system ones', async () => {
    const { router, store, registry } = setup();
    registry.entries.mockResolvedValue([entry]);
    store.listCollections.mockResolvedValue([
      { name: 'docs__v2', count: 5, fingerprint },
      { name: 'docs__v1', count: 4, fingerprint },
      { name: 'rag-system-registry', count: 1, fingerprint },
      { name: 'notes', count: 2, fingerprint },
    ]);
    expect(await router.list()).toEqual([
      { logical: 'docs', generation: 2, active: { name: 'docs__v2', count: 5, fingerprint } },
      { logical: 'notes', generation: 0, active: { name: 'notes', count: 2, fingerprint } },
    ]);
  });

  it('names every logical collection from a fresh registry read and the store', async () => {
    const { router, store, registry } = setup();
    registry.all.mockResolvedValue([entry]);
    store.listCollections.mockResolvedValue([
      { name: 'docs__v2', count: 5 },
      { name: 'notes', count: 2 },
      { name: 'docs', count: 1 },
    ]);
    expect(await router.logicalNames()).toEqual(['docs', 'notes']);
    expect(registry.entries).not.toHaveBeenCalled();
  });

  it('gives a collection written before the registry existed a generation-0 entry', async () => {
    const { router, store, registry } = setup();
    store.describeCollection.mockResolvedValue({ name: 'notes', count: 2, fingerprint });
    await expect(router.entry('notes')).resolves.toEqual({
      logical: 'notes',
      active: { name: 'notes', generation: 0, fingerprint },
      retired: [],
    });
    registry.get.mockResolvedValue(entry);
    await expect(router.entry('docs')).resolves.toBe(entry);
    registry.get.mockResolvedValue(undefined);
    store.describeCollection.mockResolvedValue(undefined);
    await expect(router.entry('none')).rejects.toThrow(NotFoundError);
  });
});
