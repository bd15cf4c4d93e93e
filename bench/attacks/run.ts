/**
 * The hostile-input attacks of issue 17 against a built API, with /health/live probed every
 * 100 ms and the API's RSS sampled: a Markdown table on stdout, the figures as JSON.
 *
 * Usage: npx ts-node --transpile-only bench/attacks/run.ts [--root <dir>] [--out <file.json>]
 *          [--only 1,3,6] [--env KEY=VALUE ...]
 * `--root` points at another checkout or build of the API (its `dist/main.js` and node_modules),
 * e.g. an older commit's, for before/after figures from the same harness.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ATTACKS, SIZES } from './attacks';
import { formatTable, runAttacks } from './harness';
import { ATTACK_ENV, AttackStack, HARNESS_ROOT } from './stack';

const { values: flags } = parseArgs({
  options: {
    root: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    env: { type: 'string', multiple: true },
  },
});

async function main(): Promise<void> {
  const root = resolve(flags.root ?? HARNESS_ROOT);
  const env = Object.fromEntries(
    (flags.env ?? []).map((pair) => [
      pair.slice(0, pair.indexOf('=')),
      pair.slice(pair.indexOf('=') + 1),
    ]),
  );
  const only = flags.only?.split(',');
  const attacks = ATTACKS.filter((attack) => !only || only.includes(attack.finding));
  const stack = await AttackStack.start(root, env);
  // Interrupted: stop the API and Chroma (which ignores SIGTERM) rather than orphan them.
  const interrupt = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  console.log(`API of ${root} at ${stack.api.url} (pid ${stack.api.pid})`);
  try {
    const started = new Date().toISOString();
    const results = await runAttacks(stack, attacks, (line) => console.log(line));
    console.log(`\n${formatTable(results)}`);
    const out = resolve(flags.out ?? 'bench/results/attacks.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        { root, started, env: { ...ATTACK_ENV, ...env }, sizes: SIZES, results },
        null,
        2,
      ),
    );
    console.log(`\nfigures written to ${out}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
