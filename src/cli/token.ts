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
  --id-token             issue an id token (aud) instead of an access token (client_id)`;

const list = (values: string[] | undefined): string[] | undefined =>
  values?.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '');

/** Parses CLI arguments and returns a signed token; creates the key pair if absent. */
export function tokenFromArgs(args: string[], auth: AuthConfig): string {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: 'string', default: 'dev' },
      username: { type: 'string' },
      scope: { type: 'string', multiple: true },
      groups: { type: 'string', multiple: true },
      collections: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '3600' },
      'client-id': { type: 'string' },
      'id-token': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
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
