/**
 * Text features shared by the local embedder: a tokeniser that understands code-ish text,
 * a light suffix stemmer and signed feature hashing.
 */

// Splits identifiers at lower→Upper and ACRONYM→Word boundaries: parseJSONBody → parse JSON Body.
const CAMEL_BOUNDARY = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
// Both boundaries need an upper-case letter: words without one skip the costly split.
const UPPER = /\p{Lu}/u;
const WORD = /[\p{L}\p{N}]+/gu;
// Runs of identifier characters (word.word, snake_case, kebab-case, ...) kept whole as one lexical term.
const COMPOUND = /[\p{L}\p{N}]+(?:[._\-/@][\p{L}\p{N}]+)+/gu;

/** Lower-cased word pieces: `getHTTPServer.listen_now` → get, http, server, listen, now. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    if (!UPPER.test(word)) tokens.push(word.toLowerCase());
    else for (const piece of word.split(CAMEL_BOUNDARY)) tokens.push(piece.toLowerCase());
  }
  return tokens;
}

/** Whole compound identifiers (`lru-cache`, `fs.readFile`), lower-cased, for exact lexical matches. */
export function compounds(text: string): string[] {
  return Array.from(text.matchAll(COMPOUND), ([term]) => term.toLowerCase());
}

const SUFFIXES = ['ies', 'ied', 'ing', 'es', 'ed', 's'];
const Y_PLURALS = new Set(['ies', 'ied']);
const MIN_STEM = 3;

/**
 * Conflates inflections (cache, caches, cached, caching → cach) without a dictionary.
 * Deliberately crude: it only has to map variants together, not produce real roots.
 */
export function lightStem(word: string): string {
  let stem = word;
  for (const suffix of SUFFIXES) {
    if (stem.endsWith(suffix) && stem.length - suffix.length >= MIN_STEM) {
      if (suffix === 's' && (stem.endsWith('ss') || stem.endsWith('us'))) break;
      stem = stem.slice(0, -suffix.length) + (Y_PLURALS.has(suffix) ? 'i' : '');
      break;
    }
  }
  if (stem.length > MIN_STEM && (stem.endsWith('e') || stem.endsWith('y'))) {
    stem = stem.slice(0, -1) + (stem.endsWith('y') ? 'i' : '');
  }
  return stem;
}

/** 32-bit FNV-1a: fast, stable across processes and versions (unlike a seeded runtime hash). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Adds `weight` for `term` into `target` at a hashed bucket, with a hashed sign so that
 * collisions cancel out on average instead of inflating similarity.
 */
export function addHashed(target: Float64Array, term: string, weight: number): void {
  const hash = fnv1a(term);
  target[hash % target.length] += hash & 0x80000000 ? -weight : weight;
}
