import request from 'supertest';
import type { App } from 'supertest/types';
import { MetricsServer } from '../../src/observability/metrics.server';
import { ObservabilityConfig } from '../../src/observability/observability.config';
import { closedPortUri } from '../support/jwks-server';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

describe('what production exposes (issue 17, finding 13)', () => {
  describe('NODE_ENV=production with defaults', () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await createTestApp({
        NODE_ENV: 'production',
        CHROMA_HOST: sharedChromaUrl(),
        COGNITO_USER_POOL_ID: 'eu-west-1_exposure',
        COGNITO_CLIENT_IDS: 'exposure-client',
        COGNITO_JWKS_URI: await closedPortUri(),
        METRICS_PORT: '0',
      });
    });
    afterAll(() => app?.close());

    it('serves no Swagger UI or document', async () => {
      const http = app.app.getHttpServer() as App;
      await request(http).get('/docs').expect(404);
      await request(http).get('/docs-json').expect(404);
    });

    it('binds the unauthenticated metrics listener to loopback only', async () => {
      expect(app.app.get(ObservabilityConfig).metrics.host).toBe('127.0.0.1');
      const port = await app.app.get(MetricsServer).listen();
      expect(port).toBeDefined();
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      await response.text();
      // The bound address itself, rather than a connection attempt to another interface: tests
      // send traffic to loopback only.
      expect(app.app.get(MetricsServer).boundTo?.address).toBe('127.0.0.1');
    });
  });

  it('keeps /docs in development by default, and SWAGGER_ENABLED overrides either way', async () => {
    const development = await createTestApp({
      NODE_ENV: 'development',
      CHROMA_HOST: sharedChromaUrl(),
    });
    try {
      const http = development.app.getHttpServer() as App;
      await request(http).get('/docs-json').expect(200);
      await request(http).get('/docs/').expect(200);
    } finally {
      await development.close();
    }
    const disabled = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      SWAGGER_ENABLED: 'false',
    });
    try {
      await request(disabled.app.getHttpServer() as App)
        .get('/docs-json')
        .expect(404);
    } finally {
      await disabled.close();
    }
  });
});
