/**
 * The unit specs that Stryker runs against each mutant: the domain modules' own specs only, so
 * the CDK synth tests and the slower service specs stay out of every mutant's run.
 */
const unit = require('./jest.config');

module.exports = {
  ...unit,
  roots: ['<rootDir>/src'],
  testRegex: undefined,
  testMatch: [
    '**/src/documents/{chunker,metadata-filter,file-type,lexical-reranker}.spec.ts',
    '**/src/auth/{principal,collection-access}.spec.ts',
    '**/src/rag-chat/citations.spec.ts',
    '**/src/ingest/batch-plan.spec.ts',
    '**/src/vector-store/migrate/record-digest.spec.ts',
    '**/src/text/text-features.spec.ts',
  ],
};
