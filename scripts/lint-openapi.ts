import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOpenApi, serializeOpenApi } from './openapi';

const ROOT = join(__dirname, '..');
/** The committed ruleset: spectral:oas, the OWASP API Security ruleset, and our exceptions. */
export const RULESET_PATH = join(ROOT, '.spectral.yaml');

export interface SpectralProblem {
  code: string;
  /** 0 error, 1 warning, 2 information, 3 hint. */
  severity: number;
  message: string;
  path: string[];
}

/**
 * Spectral's findings on a document, from its CLI (the ruleset's exceptions match files named
 * openapi.json, so the document is written under that name). Runs offline.
 */
export function lintOpenApi(serialized: string): SpectralProblem[] {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  try {
    const document = join(dir, 'openapi.json');
    writeFileSync(document, serialized);
    const cli = join(ROOT, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
    const args = [
      cli,
      'lint',
      document,
      '--ruleset',
      RULESET_PATH,
      '--format',
      'json',
      '--quiet',
      '--fail-severity',
      'error',
    ];
    // Spectral exits 1 when it finds errors; its JSON report is on stdout either way.
    let output: string;
    try {
      output = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      if (!stdout) throw error;
      output = stdout;
    }
    return JSON.parse(output.trim() || '[]') as SpectralProblem[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SEVERITY = ['error', 'warning', 'info', 'hint'];

async function main(): Promise<void> {
  const problems = lintOpenApi(serializeOpenApi(await generateOpenApi()));
  for (const { code, severity, message, path } of problems) {
    console.log(`${SEVERITY[severity]} ${code} ${path.join('.')}: ${message}`);
  }
  const errors = problems.filter((problem) => problem.severity === 0).length;
  console.log(`${errors} errors, ${problems.length - errors} other findings`);
  if (errors > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
