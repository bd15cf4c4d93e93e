import { readyLine } from './ready-line';

describe('readyLine', () => {
  it('names the API, its Swagger UI and the metrics, reachable from this machine', () => {
    expect(
      readyLine({
        host: '0.0.0.0',
        port: 3000,
        swaggerEnabled: true,
        metrics: { address: '127.0.0.1', port: 9464 },
      }),
    ).toBe(
      'API ready on http://localhost:3000 · Swagger UI http://localhost:3000/docs · metrics http://127.0.0.1:9464/metrics',
    );
  });

  it('leaves out what is off, and brackets IPv6 addresses', () => {
    expect(readyLine({ host: '::1', port: 8080, swaggerEnabled: false })).toBe(
      'API ready on http://[::1]:8080',
    );
  });
});
