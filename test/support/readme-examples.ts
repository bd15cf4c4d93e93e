/**
 * The README's examples as a script: the bash blocks of its "Using it" part, cut after each run
 * of `# →` lines into steps, each with the answer shape those lines promise.
 *
 * Shapes: a `# →` run starting with `{` or `[` is JSON where a string holding `...` matches any
 * text in its place, `{...}` any object, a `...` entry (`{"n":1,...}`) more keys, and a number any
 * number; without `...` an object has exactly the keys shown. Any other run is lines that must
 * appear in the output in that order, `...` matching any text.
 */
export interface ExampleStep {
  script: string;
  expected?: { json: unknown } | { lines: string[] };
}

const MORE = '\u2026more';
const ARROW = /^# → ?(.*)$/;

/** The "Using it" part of the README: from its heading to the next `## ` heading. */
function usingIt(readme: string): string {
  const start = readme.indexOf('\n## Using it\n');
  if (start < 0) throw new Error('README has no "## Using it" part');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function parseShape(text: string): { json: unknown } | { lines: string[] } {
  const joined = text.trim();
  if (!/^[{[]/.test(joined)) return { lines: joined.split('\n') };
  const json = joined
    .replace(/\{\.\.\.\}/g, `{"${MORE}":true}`)
    .replace(/,\s*\.\.\.\s*\}/g, `,"${MORE}":true}`);
  return { json: JSON.parse(json) as unknown };
}

export function readmeSteps(readme: string): ExampleStep[] {
  const steps: ExampleStep[] = [];
  for (const [, block] of usingIt(readme).matchAll(/^```bash\n([\s\S]*?)^```$/gm)) {
    let script: string[] = [];
    let shape: string[] = [];
    const flush = () => {
      if (script.some((line) => line.trim() !== '' && !line.startsWith('#')) || shape.length) {
        steps.push({
          script: script.join('\n'),
          expected: shape.length ? parseShape(shape.join('\n')) : undefined,
        });
      }
      script = [];
      shape = [];
    };
    for (const line of block.split('\n')) {
      const arrow = ARROW.exec(line);
      if (arrow) shape.push(arrow[1]);
      else {
        if (shape.length) flush();
        script.push(line);
      }
    }
    flush();
  }
  return steps;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('...')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]*')}$`,
  );

/** Where `actual` departs from the shape (`$.results[0].score: ...`), or undefined. */
export function shapeMismatch(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (typeof expected === 'string') {
    if (typeof actual !== 'string')
      return `${path}: expected a string, got ${JSON.stringify(actual)}`;
    return glob(expected).test(actual)
      ? undefined
      : `${path}: ${JSON.stringify(actual)} does not match ${JSON.stringify(expected)}`;
  }
  if (typeof expected === 'number') {
    return typeof actual === 'number'
      ? undefined
      : `${path}: expected a number, got ${JSON.stringify(actual)}`;
  }
  if (expected === null || typeof expected === 'boolean') {
    return actual === expected
      ? undefined
      : `${path}: expected ${String(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) {
      return `${path}: expected ${expected.length} items, got ${actual.length}`;
    }
    for (const [i, item] of expected.entries()) {
      const mismatch = shapeMismatch(item, actual[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
    return `${path}: expected an object, got ${JSON.stringify(actual)}`;
  }
  const shown = expected as Record<string, unknown>;
  const got = actual as Record<string, unknown>;
  for (const [key, value] of Object.entries(shown)) {
    if (key === MORE) continue;
    if (!(key in got)) return `${path}: no key ${key}`;
    const mismatch = shapeMismatch(value, got[key], `${path}.${key}`);
    if (mismatch) return mismatch;
  }
  if (!(MORE in shown)) {
    const extra = Object.keys(got).filter((key) => !(key in shown));
    if (extra.length) return `${path}: keys not shown: ${extra.join(', ')}`;
  }
  return undefined;
}

/** The shown lines missing from `output` (searched in order), or undefined. */
export function linesMismatch(expected: string[], output: string): string | undefined {
  const lines = output.split('\n');
  let at = 0;
  for (const pattern of expected) {
    const regex = glob(pattern);
    while (at < lines.length && !regex.test(lines[at])) at++;
    if (at === lines.length) return `no line ${JSON.stringify(pattern)} (in order) in:\n${output}`;
    at++;
  }
  return undefined;
}
