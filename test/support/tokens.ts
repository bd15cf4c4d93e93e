import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

export const REGION = 'eu-west-1';
export const POOL_ID = 'eu-west-1_TestPool1';
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
export const CLIENT_ID = 'test-client';

/** An RS256 key pair minted for the test, published under `kid`. */
export interface TestKey {
  kid: string;
  jwk: JWK;
  publicPem: string;
  privateKey: CryptoKey;
}

export async function createTestKey(kid: string): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, jwk, publicPem: await exportSPKI(publicKey), privateKey };
}

const now = () => Math.floor(Date.now() / 1000);

/** Claims of a valid Cognito access token; override or drop (`undefined`) any of them. */
export const accessClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  sub: 'user-1',
  iss: ISSUER,
  token_use: 'access',
  client_id: CLIENT_ID,
  username: 'alice',
  scope: 'rag/read',
  iat: now(),
  exp: now() + 600,
  ...overrides,
});

export const idClaims = (overrides: JWTPayload = {}): JWTPayload =>
  accessClaims({
    token_use: 'id',
    client_id: undefined,
    aud: CLIENT_ID,
    'cognito:username': 'alice',
    username: undefined,
    scope: undefined,
    ...overrides,
  });

export function sign(
  key: TestKey,
  claims: JWTPayload,
  header: { kid?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header })
    .sign(key.privateKey);
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`). */
export const unsignedToken = (claims: JWTPayload, kid: string): string =>
  `${part({ alg: 'none', typ: 'JWT', kid })}.${part(claims)}.`;

/** The classic confusion attack: HMAC-signed with the issuer's public key as the secret. */
export function hmacWithPublicKey(key: TestKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid })
    .sign(new TextEncoder().encode(key.publicPem));
}
