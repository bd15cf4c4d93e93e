import {
  Body,
  Controller,
  Get,
  HttpCode,
  Logger,
  NotFoundException,
  Param,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AuthModule } from '../src/auth/auth.module';
import { authConfigFrom, LOCAL_CLIENT_ID, type AuthConfig } from '../src/auth/auth.config';
import { canAccessCollection, filterAccessibleCollections } from '../src/auth/collection-access';
import { CurrentUser } from '../src/auth/current-user.decorator';
import type { Principal } from '../src/auth/principal';
import { Public } from '../src/auth/public.decorator';
import { RequireRole } from '../src/auth/require-role.decorator';
import { signingKeyReport, tokenFromArgs } from '../src/cli/token';
import { AllExceptionsFilter } from '../src/common/all-exceptions.filter';
import { ConfigModule } from '../src/config/config.module';
import { ConfigValidationError, ENV, parseEnv } from '../src/config/env';
import type { Env } from '../src/config/env.schema';
import { findFreePort } from '../src/vector-store/chroma-server.process';
import { closedPortUri, JwksServer } from './support/jwks-server';
import {
  accessClaims,
  CLIENT_ID,
  createTestKey,
  hmacWithPublicKey,
  idClaims,
  POOL_ID,
  sign,
  unsignedToken,
  type TestKey,
} from './support/tokens';

const KNOWN = ['docs', 'eng-docs', 'handbook', 'hr-docs'];

/** Stands in for the real controllers: one route per kind of protection. */
@Controller('probe')
class ProbeController {
  @Public()
  @Get('public')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }

  @RequireRole('write')
  @Post('write')
  @HttpCode(200)
  write(@Body() _body: { collection?: string }): { ok: true } {
    return { ok: true };
  }

  @RequireRole('admin')
  @Get('admin')
  admin(): { ok: true } {
    return { ok: true };
  }

  @Get('collections')
  list(@CurrentUser() user: Principal): string[] {
    return filterAccessibleCollections(user, KNOWN);
  }

  /** Denied and missing collections answer alike, as the documents module must. */
  @Get('collections/:name')
  collection(@CurrentUser() user: Principal, @Param('name') name: string): { name: string } {
    if (!KNOWN.includes(name) || !canAccessCollection(user, name)) {
      throw new NotFoundException(`collection '${name}' was not found`);
    }
    return { name };
  }
}

const dataDirs: string[] = [];
const newDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rag-auth-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * Apps are booted one at a time: passport keeps strategies in a process-wide registry by name,
 * so the latest app's strategy is the one every guard uses.
 */
async function boot(env: Env): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule, AuthModule],
    controllers: [ProbeController],
    providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
  })
    .overrideProvider(ENV)
    .useValue(env)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const cognitoEnv = (jwksUri: string, env: Record<string, string> = {}) =>
  parseEnv({
    NODE_ENV: 'test',
    DATA_DIR: newDataDir(),
    COGNITO_USER_POOL_ID: POOL_ID,
    COGNITO_CLIENT_IDS: `other-client,${CLIENT_ID}`,
    COGNITO_JWKS_URI: jwksUri,
    AUTH_JWKS_TIMEOUT_MS: '300',
    AUTH_GROUP_ROLES: 'admins:admin,editors:write,readers:read',
    AUTH_GROUP_COLLECTIONS: 'hr:hr-docs|handbook,eng:eng-docs',
    ...env,
  });

const unauthorized = (message: string) => ({ statusCode: 401, error: 'Unauthorized', message });
/** RFC 6750 §3: the challenge of a refused token names the error and why. */
const invalidToken = (description: string) =>
  `Bearer realm="rag-api", error="invalid_token", error_description="${description}"`;
const forbidden = (scope: string, role: string, granted: string) => {
  const message = `requires the ${scope} scope (role ${role}); the token grants ${granted}`;
  return {
    body: { statusCode: 403, error: 'Forbidden', message },
    challenge: `Bearer realm="rag-api", error="insufficient_scope", error_description="${message}", scope="${scope}"`,
  };
};

describe('auth with a Cognito issuer (JWKS served on loopback)', () => {
  let jwks: JwksServer;
  let key: TestKey;
  let app: INestApplication;
  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };

  beforeAll(async () => {
    jwks = await JwksServer.start();
    key = await createTestKey('key-1');
    jwks.keys = [key.jwk];
    app = await boot(cognitoEnv(jwks.uri));
  });
  afterAll(async () => {
    await app.close();
    await jwks.close();
  });

  it('lets anyone call a @Public() route', async () => {
    await get('/probe/public').expect(200, { ok: true });
  });

  it('accepts a valid access token and exposes the principal', async () => {
    const response = await get('/probe/me', await sign(key, accessClaims())).expect(200);
    expect(response.body).toEqual({
      sub: 'user-1',
      username: 'alice',
      tokenUse: 'access',
      clientId: CLIENT_ID,
      scopes: ['rag/read'],
      groups: [],
      roles: ['read'],
      collections: [],
    });
  });

  it('answers 401 with a challenge without error code when the header is missing', async () => {
    const response = await get('/probe/me').expect(401);
    expect(response.body).toEqual(unauthorized('missing bearer token'));
    expect(response.headers['www-authenticate']).toBe('Bearer realm="rag-api"');
  });

  it.each([
    ['a raw token', (token: string) => token],
    ['another scheme', (token: string) => `Basic ${token}`],
  ])('names the missing Bearer scheme when the header holds %s', async (_case, header) => {
    const token = await sign(key, accessClaims());
    const response = await request(app.getHttpServer())
      .get('/probe/me')
      .set('Authorization', header(token))
      .expect(401);
    expect(response.body).toEqual(
      unauthorized("missing Bearer scheme: send 'Authorization: Bearer <token>'"),
    );
    expect(response.headers['www-authenticate']).toBe('Bearer realm="rag-api"');
  });

  // The reason is asserted from the debug log, so each case fails for the intended check.
  it.each([
    ['a malformed token', /alg=undefined/, 'malformed token', () => Promise.resolve('not.a-jwt')],
    [
      'a token that is not even dotted',
      /alg=undefined/,
      'malformed token',
      () => Promise.resolve('garbage'),
    ],
    [
      'alg: none',
      /alg=none/,
      'token algorithm must be RS256',
      () => Promise.resolve(unsignedToken(accessClaims(), 'key-1')),
    ],
    [
      'HS256 signed with the public key',
      /alg=HS256/,
      'token algorithm must be RS256',
      () => hmacWithPublicKey(key, accessClaims()),
    ],
    [
      'a wrong signature (another key claiming a published kid)',
      /invalid signature/,
      'token signature invalid',
      async () => sign(await createTestKey('key-1'), accessClaims()),
    ],
    [
      'an expired token',
      /jwt expired/,
      'token expired',
      () => sign(key, accessClaims({ exp: Math.floor(Date.now() / 1000) - 60 })),
    ],
    [
      'a token not yet valid',
      /jwt not active/,
      'token not yet valid (nbf)',
      () => sign(key, accessClaims({ nbf: Math.floor(Date.now() / 1000) + 60 })),
    ],
    [
      'a wrong issuer',
      /jwt issuer invalid/,
      'token issuer mismatch',
      () =>
        sign(
          key,
          accessClaims({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
        ),
    ],
    [
      'an id token (only access tokens accepted)',
      /token_use=id/,
      'token_use must be access',
      () => sign(key, idClaims()),
    ],
    [
      'a wrong client_id',
      /client stranger not allowed/,
      'token issued to an app client this API does not allow',
      () => sign(key, accessClaims({ client_id: 'stranger' })),
    ],
    [
      'a token without exp',
      /no exp/,
      'token has no expiry (exp)',
      () => sign(key, accessClaims({ exp: undefined })),
    ],
    [
      'a token without token_use',
      /token_use=undefined/,
      'token_use must be access',
      () => sign(key, accessClaims({ token_use: undefined })),
    ],
  ])('rejects %s with a 401 naming the failed check', async (_case, reason, message, mint) => {
    const debug = jest.spyOn(Logger.prototype, 'debug');
    try {
      const token = await mint();
      const response = await get('/probe/me', token).expect(401);
      expect(response.body).toEqual(unauthorized(message));
      expect(response.headers['www-authenticate']).toBe(invalidToken(message));
      expect(response.text).not.toContain(token);
      expect(debug).toHaveBeenCalledWith(expect.stringMatching(reason));
    } finally {
      debug.mockRestore();
    }
  });

  it('tolerates the configured clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await get('/probe/me', await sign(key, accessClaims({ exp: now - 2 }))).expect(200);
    await get('/probe/me', await sign(key, accessClaims({ nbf: now + 2 }))).expect(200);
  });

  it('refetches the JWKS for an unknown kid, then answers 401', async () => {
    const before = jwks.requests;
    const debug = jest.spyOn(Logger.prototype, 'debug');
    try {
      const stranger = await createTestKey('unknown-kid');
      const response = await get('/probe/me', await sign(stranger, accessClaims())).expect(401);
      const message =
        'unknown key id (kid): the token was not signed by a key of the trusted issuer';
      expect(response.body).toEqual(unauthorized(message));
      expect(response.headers['www-authenticate']).toBe(invalidToken(message));
      expect(jwks.requests).toBe(before + 1);
      expect(debug).toHaveBeenCalledWith(expect.stringMatching(/signing key .*unknown-kid/));
    } finally {
      debug.mockRestore();
    }
  });

  it('picks up a rotated key without a restart', async () => {
    const rotated = await createTestKey('key-2');
    jwks.keys = [rotated.jwk, key.jwk];
    await get('/probe/me', await sign(rotated, accessClaims())).expect(200);
  });

  it('needs at least read on a route without an explicit requirement', async () => {
    const response = await get('/probe/me', await sign(key, accessClaims({ scope: 'openid' })));
    expect(response.status).toBe(403);
    const { body, challenge } = forbidden('rag/read', 'read', 'no role');
    expect(response.body).toEqual(body);
    expect(response.headers['www-authenticate']).toBe(challenge);
  });

  it('answers 403 when the scope is below the route requirement', async () => {
    const reader = await sign(key, accessClaims());
    const admin = forbidden('rag/admin', 'admin', 'the roles read');
    const answer = await get('/probe/admin', reader).expect(403, admin.body);
    expect(answer.headers['www-authenticate']).toBe(admin.challenge);
    await request(app.getHttpServer())
      .post('/probe/write')
      .set('Authorization', `Bearer ${reader}`)
      .expect(403, forbidden('rag/write', 'write', 'the roles read').body);
  });

  it('orders the roles admin ⊇ write ⊇ read', async () => {
    const writer = await sign(key, accessClaims({ scope: 'rag/write' }));
    await get('/probe/me', writer).expect(200);
    await request(app.getHttpServer())
      .post('/probe/write')
      .set('Authorization', `Bearer ${writer}`)
      .expect(200);
    await get('/probe/admin', writer).expect(403);
    await get('/probe/admin', await sign(key, accessClaims({ scope: 'rag/admin' }))).expect(200);
  });

  it('maps cognito:groups to roles', async () => {
    const withGroups = (groups: string[]) =>
      sign(key, accessClaims({ scope: undefined, 'cognito:groups': groups }));
    await get('/probe/admin', await withGroups(['admins'])).expect(200);
    const editor = await withGroups(['editors']);
    await request(app.getHttpServer())
      .post('/probe/write')
      .set('Authorization', `Bearer ${editor}`)
      .expect(200);
    await get('/probe/admin', editor).expect(403);
    await get('/probe/me', await withGroups(['readers'])).expect(200);
    await get('/probe/me', await withGroups(['strangers'])).expect(403);
  });

  it('shows only the collections granted by groups and claim, denied ones like missing ones', async () => {
    const token = await sign(
      key,
      accessClaims({ 'cognito:groups': ['hr'], 'custom:collections': 'docs' }),
    );
    await get('/probe/collections', token).expect(200, ['docs', 'handbook', 'hr-docs']);
    await get('/probe/collections/hr-docs', token).expect(200);
    const denied = await get('/probe/collections/eng-docs', token).expect(404);
    const missing = await get('/probe/collections/nope-docs', token).expect(404);
    const message = (body: unknown, name: string) =>
      (body as { message: string }).message.replace(name, 'X');
    expect(message(denied.body, 'eng-docs')).toBe(message(missing.body, 'nope-docs'));
  });

  it('shows admins every collection and honours * in the claim', async () => {
    const admin = await sign(key, accessClaims({ scope: 'rag/admin' }));
    await get('/probe/collections', admin).expect(200, KNOWN);
    const star = await sign(key, accessClaims({ 'custom:collections': '*' }));
    await get('/probe/collections', star).expect(200, KNOWN);
  });

  it('writes one audit line per write, without the token', async () => {
    const log = jest.spyOn(Logger.prototype, 'log');
    try {
      const token = await sign(key, accessClaims({ scope: 'rag/write' }));
      await request(app.getHttpServer())
        .post('/probe/write')
        .set('Authorization', `Bearer ${token}`)
        .send({ collection: 'eng-docs' })
        .expect(200);
      const lines = log.mock.calls
        .map(([line]) => String(line))
        .filter((line) => line.includes('"action"'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toEqual({
        sub: 'user-1',
        username: 'alice',
        action: 'POST /probe/write',
        collection: 'eng-docs',
        status: 200,
      });
      expect(lines[0]).not.toContain(token.split('.')[2]);
    } finally {
      log.mockRestore();
    }
  });

  it('does not serve the local issuer JWKS when Cognito is trusted', async () => {
    await get('/auth/dev/jwks.json').expect(404);
  });
});

describe('auth accepting id tokens (AUTH_ACCEPT_ID_TOKENS)', () => {
  let jwks: JwksServer;
  let key: TestKey;
  let app: INestApplication;

  beforeAll(async () => {
    jwks = await JwksServer.start();
    key = await createTestKey('key-1');
    jwks.keys = [key.jwk];
    app = await boot(
      cognitoEnv(jwks.uri, { AUTH_ACCEPT_ID_TOKENS: 'true', AUTH_GROUP_COLLECTIONS: '' }),
    );
  });
  afterAll(async () => {
    await app.close();
    await jwks.close();
  });

  const me = async (claims: Record<string, unknown>) =>
    request(app.getHttpServer())
      .get('/probe/me')
      .set('Authorization', `Bearer ${await sign(key, claims)}`);

  it('accepts an id token whose aud is an allowed client, roles from its groups', async () => {
    const response = await me(idClaims({ 'cognito:groups': ['readers'] }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenUse: 'id', username: 'alice', roles: ['read'] });
  });

  it('rejects an id token for another client', async () => {
    expect((await me(idClaims({ aud: 'stranger', 'cognito:groups': ['readers'] }))).status).toBe(
      401,
    );
  });

  it('still accepts access tokens', async () => {
    expect((await me(accessClaims())).status).toBe(200);
  });
});

describe('auth with remembered tokens (AUTH_TOKEN_CACHE_ENTRIES)', () => {
  let jwks: JwksServer;
  let key: TestKey;
  let app: INestApplication;
  const me = (token: string) =>
    request(app.getHttpServer()).get('/probe/me').set('Authorization', `Bearer ${token}`);
  const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    jwks = await JwksServer.start();
    key = await createTestKey('key-1');
    jwks.keys = [key.jwk];
    // No skew and a 1 s key cache: a remembered token must fail as soon as full checks would.
    app = await boot(
      cognitoEnv(jwks.uri, { AUTH_CLOCK_SKEW_SECONDS: '0', AUTH_JWKS_CACHE_MAX_AGE_MS: '1000' }),
    );
  });
  afterAll(async () => {
    await app.close();
    await jwks.close();
  });

  it('refuses a token it accepted before once the token has expired', async () => {
    const token = await sign(key, accessClaims({ exp: Math.floor(Date.now() / 1000) + 2 }));
    await me(token).expect(200);
    await me(token).expect(200);
    await waitMs(3000);
    await me(token).expect(401, unauthorized('token expired'));
  });

  it('refuses a token it accepted before once its key is no longer published', async () => {
    const dropped = await createTestKey('key-dropped');
    jwks.keys = [key.jwk, dropped.jwk];
    const token = await sign(dropped, accessClaims());
    await me(token).expect(200);
    await me(token).expect(200);
    jwks.keys = [key.jwk];
    // Past the key cache's age: full verification would refetch the JWKS and refuse.
    await waitMs(1500);
    await me(token).expect(
      401,
      unauthorized('unknown key id (kid): the token was not signed by a key of the trusted issuer'),
    );
    await me(await sign(key, accessClaims())).expect(200);
  });
});

describe('auth when the JWKS endpoint is down or slow', () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await createTestKey('key-1');
  });

  const expect503 = async (app: INestApplication) => {
    const started = Date.now();
    const response = await request(app.getHttpServer())
      .get('/probe/me')
      .set('Authorization', `Bearer ${await sign(key, accessClaims())}`);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Service Unavailable',
    });
    return Date.now() - started;
  };

  it('answers 503 + Retry-After when nothing listens', async () => {
    const app = await boot(cognitoEnv(await closedPortUri()));
    try {
      await expect503(app);
    } finally {
      await app.close();
    }
  });

  it('answers 503 when the endpoint errors or hangs, and recovers without a restart', async () => {
    const jwks = await JwksServer.start();
    jwks.keys = [key.jwk];
    const app = await boot(cognitoEnv(jwks.uri));
    try {
      jwks.mode = 'error';
      await expect503(app);
      jwks.mode = 'hang';
      // AUTH_JWKS_TIMEOUT_MS is 300 in these tests.
      expect(await expect503(app)).toBeLessThan(3000);
      jwks.mode = 'up';
      await request(app.getHttpServer())
        .get('/probe/me')
        .set('Authorization', `Bearer ${await sign(key, accessClaims())}`)
        .expect(200);
    } finally {
      await app.close();
      await jwks.close();
    }
  });
});

describe('auth with the local development issuer', () => {
  let env: Env;
  let auth: AuthConfig;
  let cliToken: string;
  let app: INestApplication;

  beforeAll(async () => {
    env = parseEnv({ NODE_ENV: 'development', DATA_DIR: newDataDir() });
    auth = authConfigFrom(env);
    // The CLI runs before the API ever started: it creates the key pair the API then reuses.
    cliToken = tokenFromArgs(
      [
        '--scope',
        'rag/admin',
        '--collections',
        'docs',
        '--sub',
        'alice',
        '--ttl',
        '3600',
        '--groups',
        'x',
      ],
      auth,
    );
    app = await boot(env);
  });
  afterAll(async () => {
    await app.close();
  });

  it('keeps the private key readable by its owner only', () => {
    const { trusted } = auth;
    if (trusted.kind !== 'local') throw new Error('expected the local issuer');
    expect(statSync(join(trusted.keyDir, 'local-issuer.private.pem')).mode & 0o777).toBe(0o600);
  });

  it('verifies a CLI token through the same strategy', async () => {
    const response = await request(app.getHttpServer())
      .get('/probe/me')
      .set('Authorization', `Bearer ${cliToken}`)
      .expect(200);
    expect(response.body).toEqual({
      sub: 'alice',
      username: 'alice',
      tokenUse: 'access',
      clientId: LOCAL_CLIENT_ID,
      scopes: ['rag/admin'],
      groups: ['x'],
      roles: ['read', 'write', 'admin'],
      collections: '*',
    });
    await request(app.getHttpServer())
      .get('/probe/admin')
      .set('Authorization', `Bearer ${cliToken}`)
      .expect(200);
  });

  it('limits a reader to the collections given with --collections', async () => {
    const token = tokenFromArgs(['--collections', 'docs'], auth);
    const call = (path: string) =>
      request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
    await call('/probe/collections').expect(200, ['docs']);
    await call('/probe/collections/hr-docs').expect(404);
  });

  it('serves its JWKS on a public dev route', async () => {
    const response = await request(app.getHttpServer()).get('/auth/dev/jwks.json').expect(200);
    const [header] = cliToken.split('.');
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    expect(response.body.keys).toEqual([
      expect.objectContaining({ kid, kty: 'RSA', alg: 'RS256', use: 'sig' }),
    ]);
    expect(response.body.keys[0]).not.toHaveProperty('d');
  });

  it('names the unknown key of a token minted for another DATA_DIR', async () => {
    const elsewhere = authConfigFrom(parseEnv({ NODE_ENV: 'development', DATA_DIR: newDataDir() }));
    const stranger = tokenFromArgs(['--scope', 'rag/admin'], elsewhere);
    const response = await request(app.getHttpServer())
      .get('/probe/me')
      .set('Authorization', `Bearer ${stranger}`)
      .expect(401);
    const message =
      'unknown key id (kid): the token was signed by another local issuer (minted with another DATA_DIR?)';
    expect(response.body).toEqual(unauthorized(message));
    expect(response.headers['www-authenticate']).toBe(invalidToken(message));
  });

  it('has `npm run token` say which key signed and whether the running API trusts it', async () => {
    const server = app.getHttpServer() as Server;
    if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const { trusted } = auth;
    if (trusted.kind !== 'local') throw new Error('expected the local issuer');
    const same = await signingKeyReport([], auth, port);
    expect(same).toEqual([
      expect.stringContaining(`local issuer key in ${trusted.keyDir}`),
      `the API at http://127.0.0.1:${port} trusts this key`,
    ]);
    const elsewhere = authConfigFrom(parseEnv({ NODE_ENV: 'development', DATA_DIR: newDataDir() }));
    const other = await signingKeyReport(['--api-url', `http://127.0.0.1:${port}/`], elsewhere, 1);
    expect(other[1]).toMatch(
      new RegExp(
        `^warning: the API at http://127\\.0\\.0\\.1:${port} trusts another key .*another DATA_DIR`,
      ),
    );
    const nobody = await signingKeyReport([], auth, await findFreePort());
    expect(nobody[1]).toMatch(
      /^no API answered at http:\/\/127\.0\.0\.1:\d+; its key was not compared/,
    );
  });

  it('rejects a local token whose payload was tampered with', async () => {
    const [header, payload, signature] = cliToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
    await request(app.getHttpServer())
      .get('/probe/me')
      .set('Authorization', `Bearer ${header}.${forged}.${signature}`)
      .expect(401);
  });
});

describe('auth configuration at boot', () => {
  it('refuses production without Cognito, naming the variables', () => {
    const attempt = () => parseEnv({ NODE_ENV: 'production', DATA_DIR: newDataDir() });
    expect(attempt).toThrow(ConfigValidationError);
    expect(attempt).toThrow(/COGNITO_USER_POOL_ID.*COGNITO_CLIENT_IDS/);
  });

  it('requires the client allow-list with a pool', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', COGNITO_USER_POOL_ID: POOL_ID })).toThrow(
      /COGNITO_CLIENT_IDS/,
    );
  });

  it('boots production with Cognito settings and trusts only that pool', () => {
    const auth = authConfigFrom(
      parseEnv({
        NODE_ENV: 'production',
        COGNITO_USER_POOL_ID: POOL_ID,
        COGNITO_CLIENT_IDS: CLIENT_ID,
      }),
    );
    expect(auth.trusted).toEqual({
      kind: 'cognito',
      issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`,
      jwksUri: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}/.well-known/jwks.json`,
    });
  });
});
