/** Unit specs live beside the code they test: the API's under src/, the CDK app's under infra/. */
module.exports = {
  ...require('./jest.swc'),
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/infra'],
  // The CDK tests synthesize whole stacks with cdk-nag; they take a few seconds each.
  testTimeout: 120000,
  testRegex: '.*\\.spec\\.ts$',
};
