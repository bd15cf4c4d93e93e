/** Unit specs live beside the code they test. */
module.exports = {
  ...require('./jest.swc'),
  rootDir: '.',
  roots: ['<rootDir>/src'],
  testRegex: '.*\\.spec\\.ts$',
};
