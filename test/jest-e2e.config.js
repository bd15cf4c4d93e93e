/** e2e tests boot the real AppModule against a real Chroma server started in globalSetup. */
module.exports = {
  ...require('../jest.swc'),
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60000,
  // A file that boots the app leaves its vm context reachable (jest --detectLeaks flags it; a
  // heap snapshot shows it held through a V8-internal template cache), so one long-lived process
  // grows by ~25 MB a file and its GC pauses reach seconds. So the files run one at a time (they
  // share one Chroma) in a single worker, replaced once its heap passes the limit after a file.
  maxWorkers: 1,
  workerIdleMemoryLimit: '700MB',
};
