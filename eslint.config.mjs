// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const CHROMADB_ONLY = 'Only src/vector-store/ talks to Chroma: use the VectorStore port.';
const CHROMADB = { name: 'chromadb', message: CHROMADB_ONLY };
const CHROMADB_DEEP = { group: ['chromadb/*'], message: CHROMADB_ONLY };
const TEST_DIR = {
  regex: '^(\\.\\./)+test(/|$)',
  message: 'src/ must not depend on test/: move what both need under src/.',
};

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'infra/cdk.out/', 'reports/', '.stryker-tmp/'],
  },
  // Config modules outside the TypeScript project; the CommonJS ones are linted below.
  { ignores: ['eslint.config.mjs', 'stryker.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Configuration is read and validated in one place; modules get typed slices of it.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config.' },
      ],
    },
  },
  {
    // Boundaries: only the Chroma adapter speaks chromadb; nothing in src/ reaches into test/.
    files: ['src/**/*.ts'],
    ignores: ['src/vector-store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [CHROMADB], patterns: [CHROMADB_DEEP, TEST_DIR] },
      ],
    },
  },
  {
    files: ['src/vector-store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [TEST_DIR] }] },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain CommonJS configs and helper scripts: no type information, Node globals.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
