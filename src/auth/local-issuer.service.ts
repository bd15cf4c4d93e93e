import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthConfig } from './auth.config';

const KEY_FILE = 'local-issuer.private.pem';

export interface LocalTokenRequest {
  sub: string;
  username?: string;
  scopes?: string[];
  groups?: string[];
  /** Written to the configured collections claim. */
  collections?: string[];
  ttlSeconds: number;
  clientId?: string;
  /** `id` tokens carry the client in `aud` instead of `client_id`, as Cognito's do. */
  tokenUse?: 'access' | 'id';
}

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** Reads the key, or creates it without racing another process (API and CLI) doing the same. */
function loadOrCreateKey(dir: string): KeyObject {
  const file = join(dir, KEY_FILE);
  try {
    return createPrivateKey(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    // link() fails if the file exists, so the first writer wins and everyone reads its key.
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return createPrivateKey(readFileSync(file));
}

/**
 * Development and test token issuer: an RS256 key pair in DATA_DIR/auth, published as a JWKS
 * and verified by the same strategy as Cognito tokens, so auth is never switched off.
 */
export class LocalIssuerService {
  readonly kid: string;
  private readonly publicJwk: JsonWebKey;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly auth: AuthConfig,
  ) {
    const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
    // RFC 7638 thumbprint: stable across restarts and changes only with the key.
    this.kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
    this.publicJwk = { kty, n, e, kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  static open(auth: AuthConfig): LocalIssuerService {
    if (auth.trusted.kind !== 'local') {
      throw new Error(
        `the API trusts ${auth.trusted.issuer}; local tokens would be rejected (unset COGNITO_USER_POOL_ID to develop locally)`,
      );
    }
    return new LocalIssuerService(loadOrCreateKey(auth.trusted.keyDir), auth);
  }

  jwks(): { keys: JsonWebKey[] } {
    return { keys: [this.publicJwk] };
  }

  /** Signs a token shaped like a Cognito one, so it exercises every production check. */
  issue(request: LocalTokenRequest): string {
    const now = Math.floor(Date.now() / 1000);
    const clientId = request.clientId ?? this.auth.clientIds[0];
    const tokenUse = request.tokenUse ?? 'access';
    const claimName = this.auth.policy.collectionsClaim;
    const payload = {
      sub: request.sub,
      iss: this.auth.trusted.issuer,
      token_use: tokenUse,
      ...(tokenUse === 'access'
        ? { client_id: clientId, username: request.username ?? request.sub }
        : { aud: clientId, 'cognito:username': request.username ?? request.sub }),
      ...(request.scopes?.length ? { scope: request.scopes.join(' ') } : {}),
      ...(request.groups?.length ? { 'cognito:groups': request.groups } : {}),
      ...(claimName && request.collections?.length
        ? { [claimName]: request.collections.join(',') }
        : {}),
      jti: randomUUID(),
      iat: now,
      auth_time: now,
      exp: now + request.ttlSeconds,
    };
    const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${base64url(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}
