import { InvalidInputError } from '../common/domain-errors';
import {
  checkLogicalName,
  isReservedName,
  physicalName,
  systemCollection,
} from './collection-names';

describe('collection names', () => {
  it('names generation 0 like the logical collection, later ones with a suffix', () => {
    expect(physicalName('docs', 0)).toBe('docs');
    expect(physicalName('docs', 2)).toBe('docs__v2');
  });

  it('names system collections with the reserved prefix', () => {
    expect(systemCollection('jobs')).toBe('rag-system-jobs');
    expect(isReservedName(systemCollection('jobs'))).toBe(true);
  });

  it('reserves the system prefix and the generation separator', () => {
    expect(() => checkLogicalName('docs')).not.toThrow();
    for (const name of ['rag-system-registry', 'docs__v1', 'a']) {
      expect(() => checkLogicalName(name)).toThrow(InvalidInputError);
    }
  });
});
