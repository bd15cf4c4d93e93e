import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertChromaBindingInstalled, chromaBindingPackage } from './chroma-binding';

const chromadbManifest = JSON.parse(
  readFileSync(join(dirname(require.resolve('chromadb')), '..', '..', 'package.json'), 'utf8'),
) as { optionalDependencies: Record<string, string> };

describe('assertChromaBindingInstalled', () => {
  it('passes where the binding chromadb loads on this host is installed', () => {
    expect(Object.keys(chromadbManifest.optionalDependencies)).toContain(chromaBindingPackage());
    expect(() => assertChromaBindingInstalled()).not.toThrow();
  });

  it('names the missing binding and the way out: CHROMA_HOST', () => {
    expect(() => assertChromaBindingInstalled('chromadb-js-bindings-nowhere')).toThrow(
      /native binding chromadb-js-bindings-nowhere, which is not installed .*set CHROMA_HOST/,
    );
  });
});
