import type { IncomingMessage, ServerResponse } from 'node:http';
import { loggingParams, requestIdFor } from './logging';

describe('requestIdFor', () => {
  const idFor = (header?: string | string[]) => {
    const headers: Record<string, string> = {};
    const response = {
      setHeader: (name: string, value: string) => (headers[name] = value),
    } as unknown as ServerResponse;
    const id = requestIdFor(
      { headers: { 'x-request-id': header } } as unknown as IncomingMessage,
      response,
    );
    return { id, echoed: headers['X-Request-Id'] };
  };

  it('keeps a sane incoming id and echoes it', () => {
    expect(idFor('abc-123_x.y:z')).toEqual({ id: 'abc-123_x.y:z', echoed: 'abc-123_x.y:z' });
  });

  it.each([['with space'], ['x'.repeat(129)], ['line\nbreak'], [['a', 'b']], [undefined]])(
    'replaces %p with a fresh uuid',
    (header) => {
      const { id, echoed } = idFor(header);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(echoed).toBe(id);
    },
  );
});

describe('loggingParams: request lines of 5xx answers', () => {
  type Options = {
    customLogLevel: (request: unknown, response: { statusCode: number }, error?: Error) => string;
    customErrorObject: (
      request: unknown,
      response: { statusCode: number },
      error: Error,
      logged: Record<string, unknown>,
    ) => Record<string, unknown>;
  };
  const [options] = loggingParams('log', { bytes: 0, flushMs: 500 }).pinoHttp as [Options];

  it('logs a 503 (warming up, a dependency away) as a warning, other 5xx as errors', () => {
    expect(options.customLogLevel({}, { statusCode: 503 })).toBe('warn');
    expect(options.customLogLevel({}, { statusCode: 500 })).toBe('error');
    expect(options.customLogLevel({}, { statusCode: 404 })).toBe('info');
  });

  it("drops pino-http's stand-in error (a stack of pino-http itself) and keeps real ones", () => {
    const logged = { res: { statusCode: 503 }, err: new Error('x'), responseTime: 3 };
    const standIn = new Error('failed with status code 503');
    expect(options.customErrorObject({}, { statusCode: 503 }, standIn, logged)).toEqual({
      res: { statusCode: 503 },
      err: undefined,
      responseTime: 3,
    });
    const real = new Error('socket hang up');
    expect(options.customErrorObject({}, { statusCode: 500 }, real, logged)).toBe(logged);
  });
});
