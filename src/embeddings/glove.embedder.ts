import { EmbeddingProviderError } from '../common/domain-errors';
import { Embedder, type EmbedderFingerprint } from './embedder.port';
import type { GloveVectors } from './glove-vectors';
import { addHashed, compounds, lightStem, tokenize } from '../text/text-features';

/** Bump whenever the featurisation changes, so collections embedded the old way are detected. */
const FEATURE_SCHEME_VERSION = 1;
const DENSE_DIMENSIONS = 100;
/** Smooth inverse frequency constant (Arora et al. 2017); see `rarity`. */
const SIF_A = 1e-3;

export interface GloveFeatureOptions {
  /** Only the this-many most frequent words have vectors (all when absent); rarer ones count lexically. */
  vocabulary?: number;
  /** Weight words by rarity, using their frequency rank as an IDF proxy. */
  idf: boolean;
  /** Embed each passage together with its document's title. */
  titlePrefix: boolean;
  /** Share of the cosine similarity contributed by hashed lexical features (0 = dense only). */
  lexicalWeight: number;
  lexicalDimensions: number;
}

/**
 * Hash buckets of the default lexical part: sized for storage (each stored vector is
 * 100 + this many floats), not for precision, which the query's BM25 rerank supplies.
 * From 768 buckets up, reranked hit@5 is flat; see bench/retrieval/RESULTS.md.
 */
export const DEFAULT_LEXICAL_DIMENSIONS = 1024;

/**
 * Words with vectors by default: the top 100,000 of the 341,479 give the same retrieval figures
 * (bench/retrieval/RESULTS.md) and keep 125 MB less in memory than the whole vocabulary.
 */
export const DEFAULT_GLOVE_VOCABULARY = 100_000;

/** The tuned default; figures in bench/retrieval/RESULTS.md. */
export const DEFAULT_GLOVE_FEATURES: GloveFeatureOptions = {
  vocabulary: DEFAULT_GLOVE_VOCABULARY,
  idf: true,
  titlePrefix: true,
  lexicalWeight: 0.6,
  lexicalDimensions: DEFAULT_LEXICAL_DIMENSIONS,
};

/**
 * The vocabulary is frequency ranked, so by Zipf's law p(word) ≈ 1 / ((rank + 1) · H).
 * SIF weighting a / (a + p) then mutes "the" (≈0.01) and keeps content words near 1,
 * without needing statistics of our own corpus.
 */
const HARMONIC = Math.log(400_000) + 0.5772;
const rarity = (rank: number | undefined): number =>
  rank === undefined ? 1 : SIF_A / (SIF_A + 1 / ((rank + 1) * HARMONIC));

function normalizeInto(target: number[], source: ArrayLike<number>, offset: number, scale: number) {
  let norm = 0;
  for (let i = 0; i < source.length; i++) norm += source[i] * source[i];
  // An all-zero part (no known words) stays zero rather than dividing by zero.
  const factor = norm > 0 ? scale / Math.sqrt(norm) : 0;
  for (let i = 0; i < source.length; i++) target[offset + i] = source[i] * factor;
}

/**
 * Offline embedder: rarity-weighted average of GloVe word vectors, concatenated with
 * feature-hashed tokens and stems. Both parts are unit length and scaled by √(1−w) and √w,
 * so cosine = (1−w)·dense cosine + w·lexical cosine.
 */
export class GloveEmbedder extends Embedder {
  readonly fingerprint: EmbedderFingerprint;
  private loading?: Promise<GloveVectors>;

  constructor(
    /** Loads at least the `vocabulary` most frequent words (all when undefined). */
    private readonly load: (vocabulary?: number) => Promise<GloveVectors>,
    private readonly options: GloveFeatureOptions = DEFAULT_GLOVE_FEATURES,
  ) {
    super();
    const { vocabulary, idf, titlePrefix, lexicalWeight, lexicalDimensions } = options;
    const lexical = lexicalWeight > 0;
    const model = [
      'glove-sg-100d',
      vocabulary === undefined ? '' : `+top${vocabulary}`,
      idf ? '+idf' : '',
      titlePrefix ? '+title' : '',
      lexical ? `+lex${lexicalDimensions}w${lexicalWeight}` : '',
      `-v${FEATURE_SCHEME_VERSION}`,
    ].join('');
    this.fingerprint = {
      provider: 'local',
      model,
      dimension: DENSE_DIMENSIONS + (lexical ? lexicalDimensions : 0),
    };
  }

  async ready(): Promise<void> {
    await this.vectors();
  }

  async embedDocuments(texts: string[], titles?: (string | undefined)[]): Promise<number[][]> {
    const vectors = await this.vectors();
    return texts.map((text, i) => {
      const title = this.options.titlePrefix ? titles?.[i] : undefined;
      return this.embed(vectors, title ? `${title}\n${text}` : text);
    });
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(await this.vectors(), text);
  }

  private vectors(): Promise<GloveVectors> {
    // Remember only success, so a failed load is retried by the next call.
    this.loading ??= this.load(this.options.vocabulary).then((vectors) => {
      if (vectors.dimensions !== DENSE_DIMENSIONS) {
        throw new Error(`expected ${DENSE_DIMENSIONS}-d vectors, got ${vectors.dimensions}`);
      }
      return vectors;
    });
    return this.loading.catch((error: unknown) => {
      this.loading = undefined;
      throw new EmbeddingProviderError('the local GloVe model could not be loaded', {
        cause: error,
      });
    });
  }

  /** A rank inside the vocabulary, whatever the loaded vectors hold beyond it. */
  private known(rank: number | undefined): number | undefined {
    const { vocabulary } = this.options;
    return rank !== undefined && (vocabulary === undefined || rank < vocabulary) ? rank : undefined;
  }

  private embed(vectors: GloveVectors, text: string): number[] {
    const { idf, lexicalWeight, lexicalDimensions } = this.options;
    const dense = new Float64Array(DENSE_DIMENSIONS);
    const terms = new Map<string, { count: number; weight: number }>();
    const count = (term: string, weight: number) => {
      const seen = terms.get(term);
      if (seen) seen.count++;
      else terms.set(term, { count: 1, weight });
    };

    for (const token of tokenize(text)) {
      const stem = lightStem(token);
      const rank = this.known(vectors.rank(token)) ?? this.known(vectors.rank(stem));
      const weight = idf ? rarity(rank) : 1;
      if (rank !== undefined) {
        const row = vectors.row(rank);
        for (let d = 0; d < DENSE_DIMENSIONS; d++) dense[d] += weight * row[d];
      }
      count(token, weight);
      // Prefixed so a word and its stem are separate features: exact forms match twice.
      count(`~${stem}`, weight);
    }

    const out = new Array<number>(this.fingerprint.dimension).fill(0);
    normalizeInto(out, dense, 0, Math.sqrt(1 - lexicalWeight));
    if (lexicalWeight > 0) {
      for (const compound of compounds(text)) count(compound, 1);
      const lexical = new Float64Array(lexicalDimensions);
      // Sublinear term frequency: a word repeated ten times is not ten times as relevant.
      for (const [term, { count: n, weight }] of terms) {
        addHashed(lexical, term, (1 + Math.log(n)) * weight);
      }
      normalizeInto(out, lexical, DENSE_DIMENSIONS, Math.sqrt(lexicalWeight));
    }
    return out;
  }
}
