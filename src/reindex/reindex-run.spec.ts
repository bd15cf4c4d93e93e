import type { RegistryEntry } from '../collections/collection-registry';
import { runStatus } from './reindex-run';

const FP = { provider: 'local', model: 'm', dimension: 3 };
const v0 = { name: 'docs', generation: 0, fingerprint: FP };
const v1 = { name: 'docs__v1', generation: 1, fingerprint: FP };
const lastRun = {
  runId: 'run-1',
  target: v1,
  state: 'succeeded' as const,
  done: 4,
  total: 4,
  startedAt: 0,
  finishedAt: 1000,
};

describe('runStatus', () => {
  it('reports a finished run as succeeded while its target serves', () => {
    const entry: RegistryEntry = {
      logical: 'docs',
      active: v1,
      previous: v0,
      lastRun,
      retired: [],
    };
    expect(runStatus(entry, 'run-1')).toMatchObject({
      state: 'succeeded',
      target: 'docs__v1',
      serving: 'docs__v1',
    });
  });

  it('reports rolled_back, and the generation serving now, after a rollback', () => {
    const entry: RegistryEntry = {
      logical: 'docs',
      active: v0,
      previous: v1,
      lastRun,
      retired: [],
    };
    expect(runStatus(entry, 'run-1')).toMatchObject({
      state: 'rolled_back',
      target: 'docs__v1',
      serving: 'docs',
    });
  });

  it('keeps a failed run failed, with its search check figures', () => {
    const searchCheck = {
      probes: 2,
      top_k: 5,
      overlap: 0.1,
      own_document_old: 2,
      own_document_new: 0,
      min_agreement: 0.8,
      passed: false,
    };
    const failed = { ...lastRun, state: 'failed' as const, error: 'no', searchCheck };
    const entry: RegistryEntry = { logical: 'docs', active: v0, lastRun: failed, retired: [] };
    expect(runStatus(entry, 'run-1')).toMatchObject({
      state: 'failed',
      serving: 'docs',
      search_check: searchCheck,
    });
    expect(runStatus(entry, 'other')).toBeUndefined();
  });
});
