/** Identifies the vector space an embedder produces; stored with every collection. */
export interface EmbedderFingerprint {
  provider: string;
  model: string;
  dimension: number;
}

export const fingerprintToString = (fp: EmbedderFingerprint): string =>
  `${fp.provider}/${fp.model}/${fp.dimension}`;

/** The port every module uses to turn text into vectors. */
export abstract class Embedder {
  abstract readonly fingerprint: EmbedderFingerprint;

  /**
   * Embeds passages for storage. `titles[i]`, when given, is the title of `texts[i]`'s document.
   * Once `signal` aborts (the request's deadline passed), calls still to make are not made and
   * remote ones in flight are cancelled, rejecting with the signal's reason.
   */
  abstract embedDocuments(
    texts: string[],
    titles?: (string | undefined)[],
    signal?: AbortSignal,
  ): Promise<number[][]>;

  /** Embeds a search query (cached). */
  abstract embedQuery(text: string): Promise<number[]>;

  /**
   * Resolves when the embedder is ready to serve (model loaded, endpoint configured). Once
   * `signal` aborts, a remote probe in flight is cancelled.
   */
  abstract ready(signal?: AbortSignal): Promise<void>;
}
