import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveChromaBinding, chromaBindingPackage } from './chroma-binding';

const chromadbManifest = JSON.parse(
  readFileSync(join(dirname(require.resolve('chromadb')), '..', '..', 'package.json'), 'utf8'),
) as { optionalDependencies: Record<string, string> };

describe('resolveChromaBinding', () => {
  it('passes where the binding chromadb loads on this host is installed', () => {
    expect(Object.keys(chromadbManifest.optionalDependencies)).toContain(chromaBindingPackage());
    expect(resolveChromaBinding()).toContain(chromaBindingPackage());
  });

  it('names the missing binding and the way out: CHROMA_HOST', () => {
    expect(() => resolveChromaBinding('chromadb-js-bindings-nowhere')).toThrow(
      /native binding chromadb-js-bindings-nowhere, which is not installed .*set CHROMA_HOST/,
    );
  });
});
