import { join } from 'node:path';
import { chunkText } from '../../src/documents/chunker';
import { withDefaults } from '../../src/documents/document-metadata';
import { loadCorpus, type BenchDocument } from './corpus';
import { loadPydocCorpus } from './pydoc-corpus';
import { PYDOC_QUESTIONS } from './pydoc-questions';
import { QUESTIONS, type BenchQuestion } from './questions';

export interface BenchChunk {
  id: string;
  docId: string;
  text: string;
  metadata: { title: string; document_id: string };
}

export interface BenchSet {
  name: string;
  /** tuning: variants are chosen on it; report: only ever reported, never tuned on. */
  role: 'tuning' | 'report';
  description: string;
  docs: BenchDocument[];
  chunks: BenchChunk[];
  questions: BenchQuestion[];
}

/** Chunked and titled as the service does for an upload of `{id, text}` without metadata. */
function chunked(docs: BenchDocument[], size: number, overlap: number): BenchChunk[] {
  return docs.flatMap((doc) => {
    const title = String(withDefaults(doc.id, doc.text, {}).title);
    return chunkText(doc.text, { size, overlap }).map((text, i) => ({
      id: `${doc.id}#${i}`,
      docId: doc.id,
      text,
      metadata: { title, document_id: doc.id },
    }));
  });
}

function checked(set: BenchSet): BenchSet {
  const missing = set.questions.filter((q) => !set.docs.some((d) => d.id === q.expect));
  if (missing.length > 0) {
    throw new Error(
      `${set.name}: expected documents missing: ${missing.map((q) => q.expect).join(', ')}`,
    );
  }
  return set;
}

/** The tuning set (npm READMEs) and the report set (pydoc pages). */
export function loadSets(root: string, chunkSize: number, chunkOverlap: number): BenchSet[] {
  const npm = loadCorpus(join(root, 'node_modules'));
  if (npm.absent.length > 0) console.log(`not installed, skipped: ${npm.absent.join(', ')}`);
  const pydoc = loadPydocCorpus();
  if (pydoc.absent.length > 0) console.log(`not importable, skipped: ${pydoc.absent.join(', ')}`);
  return [
    checked({
      name: 'npm READMEs',
      role: 'tuning',
      description: `${npm.docs.length} npm package READMEs from node_modules (corpus-packages.txt), questions.ts`,
      docs: npm.docs,
      chunks: chunked(npm.docs, chunkSize, chunkOverlap),
      questions: QUESTIONS,
    }),
    checked({
      name: 'pydoc pages',
      role: 'report',
      description:
        `${pydoc.docs.length} Python standard-library pydoc pages rendered by ${pydoc.python} ` +
        '(corpus-pydoc-pages.txt), pydoc-questions.ts',
      docs: pydoc.docs,
      chunks: chunked(pydoc.docs, chunkSize, chunkOverlap),
      questions: PYDOC_QUESTIONS,
    }),
  ];
}
