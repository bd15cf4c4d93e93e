import type { BenchQuestion } from './questions';

/**
 * The report set: questions about Python standard-library reference pages (pydoc text), written
 * and committed before any retrieval variant was scored on them, and never tuned on (see
 * RESULTS.md). Worded as a user would ask, not as the page says it (RAM for memory, folder for
 * directory), without module names. `expect` is the answering module's page.
 */
export const PYDOC_QUESTIONS: BenchQuestion[] = [
  {
    expect: 'heapq',
    question:
      'repeatedly take out the lowest-valued element of a collection fast, as a priority queue',
  },
  {
    expect: 'bisect',
    question: 'find where a value goes in an already sorted list so the list stays ordered',
  },
  { expect: 'tracemalloc', question: 'find out which lines of my program use up the most RAM' },
  {
    expect: 'gc',
    question: 'free objects that point at each other in a loop and are no longer reachable',
  },
  {
    expect: 'shutil',
    question: 'duplicate an entire folder with everything inside it, or delete it recursively',
  },
  {
    expect: 'tempfile',
    question: 'create a scratch file that is removed automatically once closed',
  },
  { expect: 'secrets', question: 'generate an unguessable token for a password reset link' },
  { expect: 'uuid', question: 'make a globally unique identifier for a database record' },
  {
    expect: 'hmac',
    question: 'sign a message with a shared key so the receiver can tell it was not tampered with',
  },
  {
    expect: 'zlib',
    question: 'shrink a byte string in RAM with the deflate algorithm and restore it',
  },
  { expect: 'gzip', question: 'read a .gz compressed log file line by line' },
  { expect: 'tarfile', question: 'unpack a tarball and list the files it holds' },
  { expect: 'csv', question: 'read rows of a spreadsheet exported as comma-separated values' },
  {
    expect: 'configparser',
    question: 'read settings from an INI-style file with [sections] and key = value lines',
  },
  { expect: 'tomllib', question: 'load a TOML config file into a dictionary' },
  {
    expect: 'argparse',
    question:
      'declare the flags and positional arguments my command-line tool takes and print a usage message',
  },
  {
    expect: 'getpass',
    question: 'ask the user for a password without showing what they type on the screen',
  },
  {
    expect: 'textwrap',
    question: 'break a long paragraph into lines no wider than a given number of characters',
  },
  { expect: 'difflib', question: 'show what changed between two versions of a text, line by line' },
  { expect: 'fnmatch', question: 'check whether a file name matches a shell wildcard like *.txt' },
  {
    expect: 'glob',
    question: 'get the paths of every file matching a wildcard pattern, descending into subfolders',
  },
  {
    expect: 'statistics',
    question: 'compute the median and standard deviation of a list of measurements',
  },
  {
    expect: 'fractions',
    question: 'exact arithmetic with ratios of whole numbers such as one third',
  },
  {
    expect: 'decimal',
    question: 'do money calculations in base ten without binary floating point rounding surprises',
  },
  { expect: 'random', question: 'shuffle a list and pick a few items at random from it' },
  {
    expect: 'timeit',
    question: 'measure how long a small snippet of code takes to run, repeated many times',
  },
  {
    expect: 'sched',
    question: 'queue up callbacks to run after delays, in order of when they are due',
  },
  { expect: 'queue', question: 'hand work items safely from producer threads to consumer threads' },
  {
    expect: 'concurrent.futures',
    question:
      'run functions on a pool of worker threads or processes and collect their results later',
  },
  {
    expect: 'subprocess',
    question: 'launch an external program, wait for it and capture what it prints',
  },
  { expect: 'atexit', question: 'have cleanup code run when the interpreter shuts down normally' },
  {
    expect: 'weakref',
    question: 'refer to an object without keeping it alive, so it can still be garbage collected',
  },
  {
    expect: 'copy',
    question: 'clone a nested structure so that changing the clone leaves the original untouched',
  },
  { expect: 'pprint', question: 'print a big nested dictionary in a readable, indented layout' },
  { expect: 'ipaddress', question: 'check whether an IP belongs to a given subnet' },
  {
    expect: 'urllib.parse',
    question: 'split a web address into scheme, host, path and query string',
  },
  { expect: 'smtplib', question: 'send an email through an outgoing mail server' },
  { expect: 'mimetypes', question: 'guess the content type of a file from its extension' },
  { expect: 'webbrowser', question: "open a link in the user's default browser" },
  { expect: 'zoneinfo', question: 'convert a time between time zones using the IANA tz database' },
  { expect: 'calendar', question: "print a month's calendar as plain text" },
  {
    expect: 'shlex',
    question: 'split a command string into arguments the way a Unix shell would, respecting quotes',
  },
  {
    expect: 'sqlite3',
    question: 'keep data in a lightweight SQL database file without running a database server',
  },
  {
    expect: 'unittest.mock',
    question: 'replace a dependency with a fake object in a test and check how it was called',
  },
  { expect: 'pickle', question: 'save arbitrary Python objects as bytes and restore them later' },
  {
    expect: 'shelve',
    question: 'a dict-like store that keeps its values on disk between runs of a program',
  },
  {
    expect: 'logging.handlers',
    question: 'write logs to a file that rolls over to a new one when it reaches a size limit',
  },
  {
    expect: 'faulthandler',
    question: 'dump the Python stack when the process crashes with a segmentation fault',
  },
  {
    expect: 'mmap',
    question: "access a large file's contents like a bytearray without reading it all into RAM",
  },
  { expect: 'resource', question: 'cap the RAM and CPU time the current process may use' },
  {
    expect: 'struct',
    question: 'pack numbers into a binary record with a fixed byte layout and unpack them again',
  },
  { expect: 'inspect', question: 'get the parameter names of a function at runtime' },
];
