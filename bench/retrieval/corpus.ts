import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchDocument {
  /** The npm package name; questions name their expected document by it. */
  id: string;
  text: string;
}

const README = /^readme(\.md|\.markdown)?$/i;

/** Strips what carries no prose: links' targets, images/badges, HTML tags. */
const clean = (markdown: string): string =>
  markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/<[^>]+>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ');

/** The corpus is pinned: a dependency change must not silently change what is measured. */
export const CORPUS_LIST = join(__dirname, 'corpus-packages.txt');
const MIN_DOCUMENTS = 300;

/**
 * The READMEs of the packages listed in corpus-packages.txt (selected once as every top-level
 * package README of at least 1000 characters, sorted, byte-identical copies dropped). Packages no
 * longer installed are reported and skipped; fewer than 300 left is an error.
 */
export function loadCorpus(nodeModules: string): { docs: BenchDocument[]; absent: string[] } {
  const docs: BenchDocument[] = [];
  const absent: string[] = [];
  const listed = readFileSync(CORPUS_LIST, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  for (const id of listed) {
    const dir = join(nodeModules, id);
    const readme = existsSync(dir) ? readdirSync(dir).find((file) => README.test(file)) : undefined;
    if (!readme) {
      absent.push(id);
      continue;
    }
    docs.push({ id, text: clean(readFileSync(join(dir, readme), 'utf8')) });
  }
  if (docs.length < MIN_DOCUMENTS) {
    throw new Error(
      `only ${docs.length} of the pinned corpus READMEs are installed (need ${MIN_DOCUMENTS})`,
    );
  }
  return { docs, absent };
}
