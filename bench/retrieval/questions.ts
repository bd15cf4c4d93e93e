/**
 * Questions a developer might ask, worded differently from the README that answers them
 * (paraphrases, no copied phrases, no package names). `expect` is the answering package.
 */
export interface BenchQuestion {
  question: string;
  expect: string;
}

export const QUESTIONS: BenchQuestion[] = [
  {
    expect: 'chokidar',
    question: 'get told when files in a folder appear, change or get deleted, reliably on every OS',
  },
  {
    expect: 'ms',
    question: 'turn a short duration like "2 days" or "1h" into a number of milliseconds',
  },
  {
    expect: 'semver',
    question: 'check whether a release number like 1.2.3 falls inside an allowed range of versions',
  },
  {
    expect: 'minimist',
    question: 'lightweight parsing of process argv switches into a plain object',
  },
  {
    expect: 'debug',
    question:
      'print diagnostic messages that can be switched on per namespace via an environment variable',
  },
  {
    expect: 'cors',
    question:
      'let browsers on other origins call my Express API by sending the right access-control headers',
  },
  {
    expect: 'multer',
    question: 'accept uploaded files from an HTML form in an Express route and store them on disk',
  },
  {
    expect: 'lru-cache',
    question: 'in-memory store that throws out the entries used longest ago once it is full',
  },
  { expect: 'glob', question: 'find all file paths matching a wildcard expression like **/*.js' },
  { expect: 'rxjs', question: 'compose asynchronous event streams with observables and operators' },
  {
    expect: 'zod',
    question: 'describe the shape of data once and get both runtime checking and a TypeScript type',
  },
  {
    expect: 'class-validator',
    question: 'annotate class properties with decorators to check that an object is valid',
  },
  {
    expect: 'class-transformer',
    question: 'convert a plain JSON literal into an instance of my class and the other way round',
  },
  {
    expect: 'passport',
    question: 'pluggable login middleware for Node with many sign-in strategies',
  },
  {
    expect: 'passport-jwt',
    question:
      'protect routes by checking a bearer token in the Authorization header with a passport strategy',
  },
  {
    expect: 'body-parser',
    question: 'read the payload of a POST request into req.body before my route handler runs',
  },
  { expect: 'cookie', question: 'read and write the Set-Cookie and Cookie header strings' },
  {
    expect: 'qs',
    question: 'decode URL search strings with nested objects and arrays such as a[b]=c',
  },
  {
    expect: 'iconv-lite',
    question:
      'convert text between character sets such as win1251 or Shift_JIS without native code',
  },
  { expect: 'chalk', question: 'colour the text I print to the console' },
  {
    expect: 'ora',
    question: 'show an animated busy indicator in the terminal while a long task runs',
  },
  { expect: 'cli-table3', question: 'render rows and columns with borders in console output' },
  {
    expect: '@inquirer/prompts',
    question:
      'ask the user questions interactively in a command line tool, like confirm, select or password input',
  },
  {
    expect: 'handlebars',
    question: 'logic-less HTML templating with mustache-style placeholders and helpers',
  },
  {
    expect: 'luxon',
    question: 'immutable wrapper for working with dates, times, durations and time zones',
  },
  {
    expect: 'validator',
    question:
      'check whether a string is an email address, URL or credit card number and sanitize input',
  },
  {
    expect: 'libphonenumber-js',
    question: 'parse and format telephone numbers for different countries',
  },
  {
    expect: 'supertest',
    question:
      'write tests that fire HTTP requests against my server and assert status codes and bodies',
  },
  {
    expect: 'form-data',
    question: 'build a multipart stream to submit fields and files to another web server',
  },
  {
    expect: 'proper-lockfile',
    question:
      'make sure only one process at a time works on a file by taking a lock that goes stale',
  },
  {
    expect: 'write-file-atomic',
    question: 'save a file so that readers never see a half-written version',
  },
  {
    expect: 'graceful-fs',
    question: 'drop-in file system module that queues opens to avoid too many open files errors',
  },
  {
    expect: 'cross-spawn',
    question:
      'launch child processes the same way on Windows and Unix, handling shebangs and PATHEXT',
  },
  {
    expect: 'which',
    question: 'locate where an executable lives on the PATH, like the unix command',
  },
  {
    expect: 'diff',
    question:
      'compute the differences between two texts line by line or word by word and create patches',
  },
  {
    expect: 'json5',
    question:
      'parse configuration files with comments, trailing commas and unquoted keys, a friendlier JSON',
  },
  {
    expect: 'strip-json-comments',
    question: 'remove // and /* */ remarks from a JSON string before parsing it',
  },
  { expect: 'uglify-js', question: 'minify and compress JavaScript bundles to make them smaller' },
  { expect: 'acorn', question: 'small fast ECMAScript parser producing an ESTree syntax tree' },
  {
    expect: 'pluralize',
    question: 'change a noun to its plural or singular form depending on a count',
  },
  {
    expect: 'fast-levenshtein',
    question: 'edit distance between two strings to measure how similar they are',
  },
  {
    expect: 'jwks-rsa',
    question:
      'fetch the public signing keys from an identity provider key set endpoint to verify tokens',
  },
  {
    expect: 'retry',
    question: 'run a failing operation again with exponentially growing waits between attempts',
  },
  { expect: 'p-limit', question: 'cap how many async functions run at the same time' },
  {
    expect: 'http-errors',
    question: 'create error objects that carry an HTTP status code like 404 for Express or Koa',
  },
  {
    expect: 'busboy',
    question: 'streaming parser for incoming multipart and urlencoded form submissions',
  },
  {
    expect: '@nestjs/schedule',
    question:
      'run jobs periodically in a Nest application using decorators for cron, intervals and timeouts',
  },
  {
    expect: '@nestjs/terminus',
    question: 'expose readiness and liveness endpoints that check the database and memory in Nest',
  },
  { expect: 'deepmerge', question: 'combine two nested objects recursively into a new one' },
  {
    expect: 'signal-exit',
    question: 'run a handler whenever the process ends, whether normally or killed by a signal',
  },
  {
    expect: '@sinonjs/fake-timers',
    question:
      'replace setTimeout and Date with controllable versions so tests can advance the clock',
  },
  {
    expect: 'bowser',
    question: 'detect the browser, operating system and rendering engine from a user agent string',
  },
  {
    expect: 'limiter',
    question: 'throttle how many requests per second my API client sends using a token bucket',
  },
  {
    expect: 'ipaddr.js',
    question: 'parse IPv4 and IPv6 addresses and check whether they belong to a subnet range',
  },
  {
    expect: 'path-to-regexp',
    question:
      'convert a route pattern with named parameters like /user/:id into a regular expression',
  },
  {
    expect: 'bytes',
    question:
      'convert a human readable size like 1TB into a number and format numbers back as sizes',
  },
  {
    expect: 'file-type',
    question: 'figure out what kind of file a buffer holds by inspecting its magic number',
  },
  {
    expect: 'escape-string-regexp',
    question: 'escape special characters so user input can be used literally inside a RegExp',
  },
  {
    expect: '@paralleldrive/cuid2',
    question: 'generate secure collision-resistant identifiers as an alternative to UUIDs',
  },
  {
    expect: 'yocto-queue',
    question: 'tiny first-in first-out structure that is faster than shifting an array',
  },
];
