// Mutation testing of the domain modules: `npm run test:mutation` (README: Mutation testing).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // Only the domain modules' specs: the CDK synth tests would otherwise run for every mutant.
    configFile: 'jest.mutation.config.js',
  },
  checkers: ['typescript'],
  // The API's sources only: type-checking infra/, bench/ and test/ would slow every check.
  tsconfigFile: 'tsconfig.mutation.json',
  mutate: [
    'src/documents/chunker.ts',
    'src/documents/metadata-filter.ts',
    'src/documents/file-type.ts',
    'src/documents/lexical-reranker.ts',
    'src/auth/principal.ts',
    'src/auth/collection-access.ts',
    'src/rag-chat/citations.ts',
    'src/ingest/batch-plan.ts',
    'src/vector-store/migrate/record-digest.ts',
    'src/text/text-features.ts',
  ],
  // Static mutants (module-level constants) re-run every test each; they cost more than they tell.
  ignoreStatic: true,
  coverageAnalysis: 'perTest',
  // Two cores: one mutant process leaves the other core for the checker and everything else.
  concurrency: 1,
  // Reruns test only mutants whose code or covering tests changed since the last report.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
};
