/**
 * The Chroma release the HTTP strategy is deployed with and tested against, in one place: the
 * image production pins and the npm binding of the same release that the e2e servers run.
 * Sources, chroma-core/chroma at tag 1.5.9: rust/js_bindings/package.json (bindings 1.3.4),
 * rust/cli/Cargo.toml (chroma-cli 1.4.4, what `chroma --version` prints) and
 * rust/frontend/src/server.rs, whose GET /api/v2/version answers a hard-coded "1.0.0" in every
 * Rust release, so that endpoint cannot tell releases apart; the CLI version can.
 */
export const CHROMA_RELEASE = {
  tag: '1.5.9',
  image: 'chromadb/chroma:1.5.9',
  /** package.json devDependency, an npm alias of bindingPackage@bindingVersion. */
  bindingAlias: 'chroma-server-1-5',
  bindingPackage: 'chromadb-js-bindings-linux-x64-gnu',
  bindingVersion: '1.3.4',
  cliVersion: 'chroma 1.4.4',
  apiVersion: '1.0.0',
  /** The newest GLIBC_ symbol version the binding needs (from its ELF file). */
  glibc: '2.39',
} as const;
