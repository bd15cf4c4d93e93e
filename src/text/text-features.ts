/**
 * Text features shared by the local embedder: a tokeniser that understands code-ish text,
 * a light suffix stemmer and signed feature hashing.
 */

/** The token patterns; ASCII-only text (most of it) takes the cheaper ASCII classes. */
interface Patterns {
  /** Splits identifiers at lower→Upper and ACRONYM→Word boundaries: parseJSONBody → parse JSON Body. */
  camelBoundary: RegExp;
  /** Both boundaries need an upper-case letter: words without one skip the costly split. */
  upper: RegExp;
  word: RegExp;
  /**
   * Runs of identifier characters (word.word, snake_case, kebab-case, ...) kept whole as one
   * lexical term. Starting only at a word's first character finds the same runs without retrying
   * from inside every word that is not a compound.
   */
  compound: RegExp;
}

const UNICODE: Patterns = {
  camelBoundary: /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u,
  upper: /\p{Lu}/u,
  word: /[\p{L}\p{N}]+/gu,
  compound: /(?<![\p{L}\p{N}])[\p{L}\p{N}]+(?:[._\-/@][\p{L}\p{N}]+)+/gu,
};
/** The same classes restricted to ASCII: equal results on ASCII text, at about half the cost. */
const ASCII: Patterns = {
  camelBoundary: /(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/,
  upper: /[A-Z]/,
  word: /[A-Za-z0-9]+/g,
  compound: /(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[._\-/@][A-Za-z0-9]+)+/g,
};
// Printable ASCII and common whitespace; anything else (rare control characters too) goes the Unicode way.
const NON_ASCII = /[^\t\n\r -~]/;
const patternsFor = (text: string): Patterns => (NON_ASCII.test(text) ? UNICODE : ASCII);

/** Lower-cased word pieces: `getHTTPServer.listen_now` → get, http, server, listen, now. */
export function tokenize(text: string): string[] {
  const { word, upper, camelBoundary } = patternsFor(text);
  const tokens: string[] = [];
  for (const found of text.match(word) ?? []) {
    // Stryker disable next-line ConditionalExpression: a shortcut; without an upper-case letter the split finds no boundary
    if (!upper.test(found)) tokens.push(found.toLowerCase());
    else for (const piece of found.split(camelBoundary)) tokens.push(piece.toLowerCase());
  }
  return tokens;
}

/** Whole compound identifiers (`lru-cache`, `fs.readFile`), lower-cased, for exact lexical matches. */
export function compounds(text: string): string[] {
  return (text.match(patternsFor(text).compound) ?? []).map((term) => term.toLowerCase());
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
