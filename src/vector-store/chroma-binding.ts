import { createRequire } from 'node:module';

/** Name suffix of chromadb's native binding packages per platform (its dist/cli.mjs loads them). */
const ABI_SUFFIX: Partial<Record<NodeJS.Platform, string>> = {
  linux: '-gnu',
  win32: '-msvc',
  darwin: '',
};

/** The npm package holding the Chroma server binding that chromadb's CLI loads on this host. */
export const chromaBindingPackage = (): string =>
  `chromadb-js-bindings-${process.platform}-${process.arch}${ABI_SUFFIX[process.platform] ?? ''}`;

/**
 * Path of the Chroma server binding chromadb's CLI loads on this host. Fails with one clear
 * message when it is not installed, as in the production image, which reaches Chroma over
 * CHROMA_HOST; otherwise the server child would die on a bare "Cannot find module" after the
 * startup timeout.
 */
export function resolveChromaBinding(binding = chromaBindingPackage()): string {
  try {
    return createRequire(require.resolve('chromadb')).resolve(binding);
  } catch {
    throw new Error(
      `the embedded vector store needs Chroma's native binding ${binding}, which is not installed here ` +
        '(the production image leaves it out): set CHROMA_HOST to the URL of a Chroma server',
    );
  }
}
