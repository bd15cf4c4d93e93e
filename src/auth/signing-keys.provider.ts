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

/**
 * Public keys by `kid`, cached. Cognito keys come from its JWKS URL; the local issuer's are
 * handed to the same jwks-rsa client through `fetcher`, so both share one lookup path.
 */
export class SigningKeys {
  /** Where the keys come from, for logs. */
  readonly source: string;
  private readonly client: JwksClient;

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

  async publicKey(kid: string): Promise<string> {
    try {
      return (await this.client.getSigningKey(kid)).getPublicKey();
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      if (TOKEN_FAULTS.has(reason.name)) throw new UnknownSigningKeyError(reason.message);
      throw new JwksUnavailableError(`JWKS ${this.source} unavailable: ${reason.message}`, {
        cause: error,
      });
    }
  }
}
