import { parseArgs } from 'node:util';
import { type AuthConfig } from '../auth/auth.config';
import { LocalIssuerService } from '../auth/local-issuer.service';

const USAGE = `Prints a token signed by the local development issuer (keys in DATA_DIR/auth).
  --sub alice            subject (default: dev)
  --username alice       username (default: the subject)
  --scope rag/read       OAuth scope; repeat or space-separate for several (default: rag/read)
  --groups a,b           cognito:groups
  --collections a,b      collections claim; * for all (default: *)
  --ttl 3600             lifetime in seconds (default: 3600)
  --client-id ID         app client (default: first of COGNITO_CLIENT_IDS, else local-dev)
  --id-token             issue an id token (aud) instead of an access token (client_id)
  --api-url URL          API whose key is compared with the one signing (default: http://127.0.0.1:PORT)
The token goes to stdout; which key signed it, and whether the API at --api-url trusts that key
(an API started with another DATA_DIR does not), go to stderr.`;

const list = (values: string[] | undefined): string[] | undefined =>
  values?.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '');

const OPTIONS = {
  sub: { type: 'string', default: 'dev' },
  username: { type: 'string' },
  scope: { type: 'string', multiple: true },
  groups: { type: 'string', multiple: true },
  collections: { type: 'string', multiple: true },
  ttl: { type: 'string', default: '3600' },
  'client-id': { type: 'string' },
  'id-token': { type: 'boolean', default: false },
  'api-url': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const parse = (args: string[]) => parseArgs({ args, options: OPTIONS }).values;

/** Parses CLI arguments and returns a signed token; creates the key pair if absent. */
export function tokenFromArgs(args: string[], auth: AuthConfig): string {
  const values = parse(args);
  if (values.help) return USAGE;
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new Error('--ttl must be a positive integer');
  return LocalIssuerService.open(auth).issue({
    sub: values.sub,
    username: values.username,
    scopes: list(values.scope) ?? [auth.policy.scopes.read],
    groups: list(values.groups),
    collections: list(values.collections) ?? ['*'],
    ttlSeconds,
    clientId: values['client-id'],
    tokenUse: values['id-token'] ? 'id' : 'access',
  });
}

/** How long the API gets to show its keys; the token is printed whatever it answers. */
const API_CHECK_TIMEOUT_MS = 1500;

/**
 * Lines for stderr: which key folder signed (so DATA_DIR is visible), and whether the API at
 * `--api-url` (default: this configuration's PORT on loopback) publishes that key. A local API
 * publishes its keys at /auth/dev/jwks.json; one started with another DATA_DIR has another key
 * and would refuse the token as "unknown key id".
 */
export async function signingKeyReport(
  args: string[],
  auth: AuthConfig,
  port: number,
): Promise<string[]> {
  const values = parse(args);
  if (values.help || auth.trusted.kind !== 'local') return [];
  const { kid } = LocalIssuerService.open(auth);
  const lines = [`token signed by the local issuer key in ${auth.trusted.keyDir} (kid ${kid})`];
  const apiUrl = (values['api-url'] ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/auth/dev/jwks.json`, {
      signal: AbortSignal.timeout(API_CHECK_TIMEOUT_MS),
    });
  } catch {
    lines.push(`no API answered at ${apiUrl}; its key was not compared (--api-url to name it)`);
    return lines;
  }
  if (!response.ok) {
    lines.push(
      `warning: the API at ${apiUrl} publishes no local keys (HTTP ${response.status}): it trusts a Cognito pool and will refuse this token`,
    );
    return lines;
  }
  const { keys } = (await response.json()) as { keys?: { kid?: string }[] };
  const served = (keys ?? []).map((key) => key.kid);
  lines.push(
    served.includes(kid)
      ? `the API at ${apiUrl} trusts this key`
      : `warning: the API at ${apiUrl} trusts another key (kid ${served.join(', ')}): it runs with another DATA_DIR and will refuse this token; run this command with the API's DATA_DIR`,
  );
  return lines;
}
