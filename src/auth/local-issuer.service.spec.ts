import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../config/env';
import { authConfigFrom, type AuthConfig } from './auth.config';
import { LocalIssuerService } from './local-issuer.service';
import { tokenFromArgs } from '../cli/token';

describe('LocalIssuerService and the token CLI', () => {
  let dataDir: string;
  let config: AuthConfig;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rag-local-issuer-'));
    config = authConfigFrom(parseEnv({ DATA_DIR: dataDir }));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const payloadOf = (token: string): Record<string, unknown> =>
    JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

  it('creates a 0600 key once and reuses it across instances', () => {
    const first = LocalIssuerService.open(config);
    const second = LocalIssuerService.open(config);
    expect(second.kid).toBe(first.kid);
    expect(statSync(join(dataDir, 'auth', 'local-issuer.private.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'auth')).mode & 0o777).toBe(0o700);
  });

  it('shapes CLI tokens like Cognito access tokens', () => {
    const token = tokenFromArgs(
      [
        '--sub',
        'alice',
        '--scope',
        'rag/write',
        '--groups',
        'a,b',
        '--collections',
        'docs',
        '--ttl',
        '60',
      ],
      config,
    );
    const claims = payloadOf(token);
    expect(claims).toMatchObject({
      sub: 'alice',
      iss: 'local',
      token_use: 'access',
      client_id: 'local-dev',
      username: 'alice',
      scope: 'rag/write',
      'cognito:groups': ['a', 'b'],
      'custom:collections': 'docs',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(60);
  });

  it('issues id tokens with aud instead of client_id', () => {
    const claims = payloadOf(tokenFromArgs(['--id-token'], config));
    expect(claims).toMatchObject({ token_use: 'id', aud: 'local-dev', 'cognito:username': 'dev' });
    expect(claims).not.toHaveProperty('client_id');
  });

  it('refuses a bad ttl, and refuses to sign when Cognito is trusted', () => {
    expect(() => tokenFromArgs(['--ttl', '-1'], config)).toThrow('--ttl');
    const cognito = authConfigFrom(
      parseEnv({
        DATA_DIR: dataDir,
        COGNITO_USER_POOL_ID: 'eu-west-1_Abc',
        COGNITO_CLIENT_IDS: 'a',
      }),
    );
    expect(() => tokenFromArgs([], cognito)).toThrow(/local tokens would be rejected/);
  });
});
