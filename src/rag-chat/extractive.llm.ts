import { contentTerms } from './content-terms';
import { Llm, NO_USAGE, type LlmAnswer, type LlmRequest, type LlmStreamEvent } from './llm.port';
import type { PromptSource } from './prompt-builder';
import { sentences } from './sentences';

export const EXTRACTIVE_FRAMING = 'From the retrieved sources:';
export const EXTRACTIVE_NOTHING_FOUND =
  "I don't know: none of the retrieved sources contains a passage relevant to the question.";

const MIN_SENTENCE_TERMS = 3;

interface Candidate {
  sentence: string;
  n: number;
  matched: number;
  order: number;
}

/**
 * The offline provider: answers with the retrieved sentences that share the most content words
 * with the question, each followed by its source number. It never writes text of its own apart
 * from the fixed framing line or the fixed "I don't know" answer: every other sentence is a
 * sentence of a source, verbatim but for hard line wraps joined with a space.
 */
export class ExtractiveLlm extends Llm {
  readonly model = 'extractive';

  constructor(private readonly maxSentences: number) {
    super();
  }

  complete(request: LlmRequest): Promise<LlmAnswer> {
    return Promise.resolve({ text: this.answer(request), usage: NO_USAGE });
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    // Word by word, so clients see the same event flow as with a remote model.
    for (const piece of this.answer(request).match(/\S+\s*|\s+/g) ?? []) {
      if (request.signal?.aborted) return;
      yield { type: 'token', text: piece };
      await Promise.resolve();
    }
    yield { type: 'usage', usage: NO_USAGE };
  }

  private answer({ question, sources }: LlmRequest): string {
    const picked = this.pick(contentTerms(question), sources);
    if (picked.length === 0) return EXTRACTIVE_NOTHING_FOUND;
    return [EXTRACTIVE_FRAMING, ...picked.map((c) => `${c.sentence} [${c.n}]`)].join('\n');
  }

  private pick(question: Set<string>, sources: PromptSource[]): Candidate[] {
    const seen = new Set<string>();
    const candidates: Candidate[] = [];
    for (const source of sources) {
      for (const sentence of sentences(source.text)) {
        // Overlapping chunks repeat sentences; one citation of each is enough.
        if (seen.has(sentence)) continue;
        seen.add(sentence);
        const terms = contentTerms(sentence);
        if (terms.size < MIN_SENTENCE_TERMS) continue;
        let matched = 0;
        for (const term of question) if (terms.has(term)) matched++;
        if (matched > 0) {
          candidates.push({ sentence, n: source.n, matched, order: candidates.length });
        }
      }
    }
    // Most question words first; ties keep retrieval order (better sources come first).
    return candidates
      .sort((a, b) => b.matched - a.matched || a.order - b.order)
      .slice(0, this.maxSentences);
  }
}
