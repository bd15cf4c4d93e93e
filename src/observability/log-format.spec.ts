import { logFormatFor, prettyLine } from './log-format';

describe('logFormatFor', () => {
  it('writes readable lines to a terminal and JSON to anything else when auto', () => {
    expect(logFormatFor('auto', true)).toBe('pretty');
    expect(logFormatFor('auto', false)).toBe('json');
    // A stream that is not a TTY has no isTTY at all.
    expect(logFormatFor('auto', undefined)).toBe('json');
  });

  it('keeps an explicit choice whatever stdout is', () => {
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });
});

describe('prettyLine', () => {
  const time = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

  it('shows time, level, context and message', () => {
    expect(prettyLine({ level: 40, time, context: 'Health', msg: 'embedder down' })).toBe(
      '03:04:05.678 WARN  [Health] embedder down\n',
    );
  });

  it('shows a request as method, path, status and latency', () => {
    const line = prettyLine({
      level: 30,
      time,
      req: { id: 'r-1', method: 'GET', url: '/health' },
      res: { statusCode: 200 },
      responseTime: 12,
      msg: 'request completed',
    });
    expect(line).toBe('03:04:05.678 INFO  GET /health 200 12 ms (request r-1)\n');
  });

  it('adds the stack of an error, not of a lesser level', () => {
    const err = { message: 'boom', stack: 'Error: boom\n    at here' };
    expect(prettyLine({ level: 50, time, msg: 'failed', err })).toBe(
      '03:04:05.678 ERROR failed\nError: boom\n    at here\n',
    );
    expect(prettyLine({ level: 40, time, msg: 'failed', err })).not.toContain('at here');
  });
});
