import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import type { AuthConfig } from './auth.config';
import type { LocalIssuerService } from './local-issuer.service';

/** The token names a key the issuer does not publish (after a refetch): the caller's fault. */
export class UnknownSigningKeyError extends Error {
  override readonly name = 'UnknownSigningKeyError';
}

/** The key set could not be fetched or read: our dependency's fault, so 503, never 401/500. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
}

/** jwks-rsa's own verdicts that blame the token rather than the endpoint. */
const TOKEN_FAULTS = new Set(['SigningKeyNotFoundError', 'JwksRateLimitError']);
/** Imported keys kept; an issuer publishes a handful, rotation adds one at a time. */
const MAX_IMPORTED_KEYS = 32;

/**
 * Public keys by `kid`, cached. Cognito keys come from its JWKS URL; the local issuer's are
 * handed to the same jwks-rsa client through `fetcher`, so both share one lookup path.
 */
export class SigningKeys {
  /** Where the keys come from, for logs. */
  readonly source: string;
  private readonly client: JwksClient;
  /** By PEM: importing a key costs more than verifying a signature with it. */
  private readonly imported = new Map<string, KeyObject>();

  constructor(auth: AuthConfig, local: LocalIssuerService | null) {
    this.source = auth.trusted.kind === 'cognito' ? auth.trusted.jwksUri : auth.trusted.keyDir;
    this.client = new JwksClient({
      jwksUri: this.source,
      cache: true,
      cacheMaxAge: auth.jwks.cacheMaxAgeMs,
      // Unknown kids bypass the cache; the limit stops forged kids from flooding the issuer.
      rateLimit: true,
      jwksRequestsPerMinute: auth.jwks.requestsPerMinute,
      timeout: auth.jwks.timeoutMs,
      ...(local ? { fetcher: () => Promise.resolve(local.jwks()) } : {}),
    });
  }

  async publicKey(kid: string): Promise<KeyObject> {
    let pem: string;
    try {
      pem = (await this.client.getSigningKey(kid)).getPublicKey();
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      if (TOKEN_FAULTS.has(reason.name)) throw new UnknownSigningKeyError(reason.message);
      throw new JwksUnavailableError(`JWKS ${this.source} unavailable: ${reason.message}`, {
        cause: error,
      });
    }
    let key = this.imported.get(pem);
    if (!key) {
      key = createPublicKey(pem);
      if (this.imported.size >= MAX_IMPORTED_KEYS) this.imported.clear();
      this.imported.set(pem, key);
    }
    return key;
  }
}
