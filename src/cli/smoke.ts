import { parseArgs } from 'node:util';
import { runSmokeChecks } from '../smoke/smoke-checks';

const USAGE = `Smoke-tests a deployed API: readiness, an authenticated query, a chat answer (/fast_chat).
  --base-url https://api.example.com   where the API is served (required)
  --token <jwt>                        bearer token with the read scope (required)
  --collection docs                    collection to query (default: docs)
  --query "..."                        question to ask (default: a generic onboarding question)
  --timeout-ms 30000                   per-request timeout
Prints one PASS/FAIL line per check; exits 1 if any check fails, 2 on bad arguments.`;

/** Runs the smoke test for CLI arguments; returns the exit code. */
export async function runSmokeCli(
  args: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'base-url': { type: 'string' },
      token: { type: 'string' },
      collection: { type: 'string', default: 'docs' },
      query: { type: 'string', default: 'How do new engineers get started?' },
      'timeout-ms': { type: 'string', default: '30000' },
      help: { type: 'boolean', default: false },
    },
  });
  const timeoutMs = Number(values['timeout-ms']);
  const baseUrl = values['base-url'];
  if (values.help || !baseUrl || !values.token || !(timeoutMs > 0)) {
    print(USAGE);
    return values.help ? 0 : 2;
  }
  const results = await runSmokeChecks({
    baseUrl,
    token: values.token,
    collection: values.collection,
    query: values.query,
    timeoutMs,
  });
  for (const result of results) {
    print(`${result.ok ? 'PASS' : 'FAIL'}  ${result.name}  ${result.detail}`);
  }
  const failed = results.filter((result) => !result.ok).length;
  print(failed === 0 ? `smoke test passed against ${baseUrl}` : `${failed} check(s) failed`);
  return failed === 0 ? 0 : 1;
}
