import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdFor } from './logging';

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
