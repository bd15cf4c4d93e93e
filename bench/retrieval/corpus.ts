import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchDocument {
  /** The npm package name; questions name their expected document by it. */
  id: string;
  text: string;
}

const README = /^readme(\.md|\.markdown)?$/i;

function packageDirs(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@')
        ? readdirSync(join(nodeModules, name)).map((scoped) => `${name}/${scoped}`)
        : [name],
    );
}

/** Strips what carries no prose: links' targets, images/badges, HTML tags. */
const clean = (markdown: string): string =>
  markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/<[^>]+>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ');

/**
 * Every top-level package README of at least `minChars`, in sorted package order.
 * Byte-identical READMEs (e.g. `strip-ansi` and `strip-ansi-cjs`) are kept once, under the
 * first name, so no question has two equally right answers.
 */
export function loadCorpus(nodeModules: string, minChars: number): BenchDocument[] {
  const seen = new Set<string>();
  const docs: BenchDocument[] = [];
  for (const id of packageDirs(nodeModules).sort()) {
    const dir = join(nodeModules, id);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const readme = readdirSync(dir).find((file) => README.test(file));
    if (!readme) continue;
    const raw = readFileSync(join(dir, readme), 'utf8');
    const hash = createHash('sha256').update(raw).digest('hex');
    if (raw.length < minChars || seen.has(hash)) continue;
    seen.add(hash);
    docs.push({ id, text: clean(raw) });
  }
  return docs;
}
