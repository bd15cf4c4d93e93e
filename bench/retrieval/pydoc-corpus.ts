import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchDocument } from './corpus';

/** The report set's pages are pinned: Python's own module list must not change what is measured. */
export const PYDOC_PAGE_LIST = join(__dirname, 'corpus-pydoc-pages.txt');
const RENDERER = join(__dirname, 'render_pydoc.py');
const MIN_DOCUMENTS = 300;
/**
 * Each page is kept up to this many characters (cut at a line end): the opening of a module's
 * page (name, description, class and function list) is what a reader looks up, and the longest
 * pages (os, tkinter-sized ones) would otherwise outweigh the rest of the corpus.
 */
export const PYDOC_PAGE_CHARS = 12_000;

const head = (text: string): string => {
  if (text.length <= PYDOC_PAGE_CHARS) return text;
  const cut = text.lastIndexOf('\n', PYDOC_PAGE_CHARS);
  return text.slice(0, cut > 0 ? cut : PYDOC_PAGE_CHARS);
};

/**
 * `python3 -m pydoc` text of the standard-library modules listed in corpus-pydoc-pages.txt,
 * rendered by the local python3 (present on a fresh Debian with python3). Modules this Python
 * cannot import are reported and skipped; fewer than 300 left is an error.
 */
export function loadPydocCorpus(): { docs: BenchDocument[]; absent: string[]; python: string } {
  const listed = readFileSync(PYDOC_PAGE_LIST, 'utf8');
  const python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  const output = execFileSync('python3', [RENDERER], {
    input: listed,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const docs: BenchDocument[] = [];
  const absent: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const page = JSON.parse(line) as { id: string; text: string | null };
    if (page.text === null) absent.push(page.id);
    else docs.push({ id: page.id, text: head(page.text) });
  }
  if (docs.length < MIN_DOCUMENTS) {
    throw new Error(
      `only ${docs.length} of the pinned pydoc pages rendered (need ${MIN_DOCUMENTS})`,
    );
  }
  return { docs, absent, python };
}
