import { Embedder, fingerprintToString, type EmbedderFingerprint } from './embedder.port';
import type { GloveFeatureOptions } from './glove.embedder';

/** The local embedder's model string, e.g. `glove-sg-100d+top100000+idf+title+lex1024w0.6-v1`. */
const GLOVE_MODEL =
  /^glove-sg-100d(?:\+top(\d+))?(\+idf)?(\+title)?(?:\+lex(\d+)w(\d+(?:\.\d+)?))?-v\d+$/;

/** The feature options a local model string was made with, or undefined if it is not one. */
export function gloveOptionsFromModel(model: string): GloveFeatureOptions | undefined {
  const match = GLOVE_MODEL.exec(model);
  if (!match) return undefined;
  const [, vocabulary, idf, title, dimensions, weight] = match;
  return {
    ...(vocabulary === undefined ? {} : { vocabulary: Number(vocabulary) }),
    idf: idf !== undefined,
    titlePrefix: title !== undefined,
    lexicalWeight: weight === undefined ? 0 : Number(weight),
    lexicalDimensions: dimensions === undefined ? 0 : Number(dimensions),
  };
}

/**
 * Embedders by fingerprint. While the configured model changes, a collection must keep being
 * queried (and written) with the embedder that made it: the configured one, or any local GloVe
 * variant, which can be rebuilt offline from its model string. Remote models other than the
 * configured one are not offered; their collections answer 409 until re-indexed.
 */
export class EmbedderCatalog {
  private readonly local = new Map<string, Embedder>();

  constructor(
    private readonly configured: Embedder,
    private readonly makeLocal: (options: GloveFeatureOptions) => Embedder,
  ) {}

  /** The configured embedder once ready (a remote one may probe its dimension first). */
  async current(): Promise<Embedder> {
    await this.configured.ready();
    return this.configured;
  }

  /** An embedder producing exactly this fingerprint's vectors, or undefined when none can. */
  async forFingerprint(fingerprint: EmbedderFingerprint): Promise<Embedder | undefined> {
    const key = fingerprintToString(fingerprint);
    const configured = await this.current();
    if (fingerprintToString(configured.fingerprint) === key) return configured;
    if (fingerprint.provider !== 'local') return undefined;
    const cached = this.local.get(key);
    if (cached) return cached;
    const options = gloveOptionsFromModel(fingerprint.model);
    if (!options) return undefined;
    const candidate = this.makeLocal(options);
    // The model string omits the scheme version's meaning: only an exact round trip is the same space.
    if (fingerprintToString(candidate.fingerprint) !== key) return undefined;
    this.local.set(key, candidate);
    return candidate;
  }
}
