// Shared jest transform: swc compiles our TypeScript (keeping decorator metadata for Nest DI)
// and down-levels the ESM-only packages (NestJS 12 and friends) to CommonJS for jest.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', swc],
  },
  // Only ESM packages need compiling; everything else in node_modules is loaded as is.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|load-esm|strtok3|token-types|peek-readable|@tokenizer|uint8array-extras|jose|lru-cache|chromadb)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
};
