/**
 * Calibrates when /fast_chat answers "I don't know" (CHAT_MIN_SCORE, CHAT_MIN_COVERAGE) on the
 * labelled questions of abstention-questions.ts over the retrieval corpus, and reports the chosen
 * rule's precision and recall on the held-out half. Retrieval is the real API in this process
 * (embedded Chroma, default embedder and rerank): re-run it whenever scoring changes.
 * The decision is the service's own `answerableChunks`, applied to what `/chroma/query` returned.
 * Usage: npm run bench:abstention   (writes bench/chat/ABSTENTION.md)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import {
  answerableChunks,
  scoredBySimilarity,
  type AbstentionRule,
} from '../../src/rag-chat/abstention';
import { ExtractiveLlm, EXTRACTIVE_NOTHING_FOUND } from '../../src/rag-chat/extractive.llm';
import { numberSources, type RetrievedChunk } from '../../src/rag-chat/prompt-builder';
import { ragChatConfigFrom } from '../../src/rag-chat/rag-chat.config';
import { loadCorpus } from '../retrieval/corpus';
import { LABELLED_QUESTIONS, type Half, type LabelledQuestion } from './abstention-questions';
import { ROOT, startBenchApp } from './bench-app';

const COLLECTION = 'bench-abstention';
const BATCH_DOCUMENTS = 20;
const SCORE_STEPS = Array.from({ length: 101 }, (_, i) => i / 100);
const COVERAGE_STEPS = Array.from({ length: 21 }, (_, i) => i / 20);
const FRANCE = 'What is the capital of France?';

interface Retrieved {
  labelled: LabelledQuestion;
  results: RetrievedChunk[];
}

/** Counts with "abstain" as the positive class; answering is its mirror. */
interface Outcome {
  abstainedRight: number;
  abstainedWrong: number;
  answeredRight: number;
  answeredWrong: number;
  /** Answerable questions answered with the expected document among the sources. */
  answeredWithExpected: number;
}

const ratio = (part: number, whole: number) => (whole === 0 ? NaN : part / whole);
const abstainPrecision = (o: Outcome) =>
  ratio(o.abstainedRight, o.abstainedRight + o.abstainedWrong);
const abstainRecall = (o: Outcome) => ratio(o.abstainedRight, o.abstainedRight + o.answeredWrong);
const answerPrecision = (o: Outcome) => ratio(o.answeredRight, o.answeredRight + o.answeredWrong);
const answerRecall = (o: Outcome) => ratio(o.answeredRight, o.answeredRight + o.abstainedWrong);
/** The tuning objective, fixed before tuning: both kinds of mistake weigh the same. */
const balancedAccuracy = (o: Outcome) => (abstainRecall(o) + answerRecall(o)) / 2;

const fixed = (value: number, digits = 3) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function outcome(retrieved: Retrieved[], decide: (r: Retrieved) => RetrievedChunk[]): Outcome {
  const o: Outcome = {
    abstainedRight: 0,
    abstainedWrong: 0,
    answeredRight: 0,
    answeredWrong: 0,
    answeredWithExpected: 0,
  };
  for (const r of retrieved) {
    const used = decide(r);
    const answered = used.length > 0;
    if (answered && r.labelled.answerable) {
      o.answeredRight++;
      if (used.some((chunk) => chunk.document_id === r.labelled.expect)) o.answeredWithExpected++;
    } else if (answered) o.answeredWrong++;
    else if (r.labelled.answerable) o.abstainedWrong++;
    else o.abstainedRight++;
  }
  return o;
}

const gate = (rule: AbstentionRule) => (r: Retrieved) =>
  answerableChunks(r.labelled.question, r.results, rule);

/** The best rule of a family on the tuning half; ties go to more answers, then lower thresholds. */
function choose(tuning: Retrieved[], rules: AbstentionRule[]): AbstentionRule {
  const scored = rules.map((rule) => ({ rule, o: outcome(tuning, gate(rule)) }));
  const best = Math.max(...scored.map(({ o }) => balancedAccuracy(o)));
  const tied = scored.filter(({ o }) => balancedAccuracy(o) === best);
  const mostAnswers = Math.max(...tied.map(({ o }) => answerRecall(o)));
  const candidates = tied.filter(({ o }) => answerRecall(o) === mostAnswers);
  const coverage = Math.min(...candidates.map(({ rule }) => rule.minCoverage));
  // The middle of the tied score thresholds: an edge of a plateau fits the tuning half too tightly.
  const plateau = candidates
    .filter(({ rule }) => rule.minCoverage === coverage)
    .map(({ rule }) => rule)
    .sort((a, b) => a.minScore - b.minScore);
  return plateau[Math.floor((plateau.length - 1) / 2)];
}

async function main(): Promise<void> {
  const { env, post, close } = await startBenchApp('rag-bench-abstention-', {
    // Batches of whole READMEs on a shared machine can take longer than a request usually may.
    REQUEST_TIMEOUT_MS: '600000',
  });
  try {
    const { docs, absent } = loadCorpus(join(ROOT, 'node_modules'));
    if (absent.length > 0) console.log(`not installed, skipped: ${absent.join(', ')}`);
    let chunks = 0;
    for (let i = 0; i < docs.length; i += BATCH_DOCUMENTS) {
      const response = await post('/chroma/update', {
        collection: COLLECTION,
        documents: docs.slice(i, i + BATCH_DOCUMENTS),
      });
      if (!response.ok) throw new Error(`ingest: HTTP ${response.status} ${await response.text()}`);
      const { results } = (await response.json()) as { results: { chunks: number }[] };
      chunks += results.reduce((sum, result) => sum + result.chunks, 0);
    }
    console.log(`ingested ${docs.length} READMEs, ${chunks} chunks`);

    const topK = documentsConfigFrom(env).defaultTopK;
    const retrieved: Retrieved[] = [];
    for (const labelled of LABELLED_QUESTIONS) {
      const response = await post('/chroma/query', {
        collection: COLLECTION,
        query: labelled.question,
        top_k: topK,
      });
      if (!response.ok) throw new Error(`query: HTTP ${response.status} ${await response.text()}`);
      const { results } = (await response.json()) as {
        results: (RetrievedChunk & { similarity: number })[];
      };
      retrieved.push({ labelled, results: scoredBySimilarity(results) });
    }
    const half = (h: Half) => retrieved.filter((r) => r.labelled.half === h);
    const tuning = half('tune');
    const report = half('report');

    const families: { name: string; rules: AbstentionRule[] }[] = [
      {
        name: 'score only (CHAT_MIN_SCORE)',
        rules: SCORE_STEPS.map((minScore) => ({ minScore, minCoverage: 0 })),
      },
      {
        name: 'coverage only (CHAT_MIN_COVERAGE)',
        rules: COVERAGE_STEPS.map((minCoverage) => ({ minScore: -1, minCoverage })),
      },
      {
        name: 'score and coverage',
        rules: SCORE_STEPS.flatMap((minScore) =>
          COVERAGE_STEPS.map((minCoverage) => ({ minScore, minCoverage })),
        ),
      },
    ];
    const chosen = families.map(({ name, rules }) => ({ name, rule: choose(tuning, rules) }));
    const winner = chosen.reduce((a, b) =>
      balancedAccuracy(outcome(tuning, gate(b.rule))) >
      balancedAccuracy(outcome(tuning, gate(a.rule)))
        ? b
        : a,
    );
    const previous: AbstentionRule = { minScore: 0.2, minCoverage: 0 };
    const configured = ragChatConfigFrom(env).abstention;

    const extractive = new ExtractiveLlm(ragChatConfigFrom(env).extractiveMaxSentences);
    const contextMaxChars = ragChatConfigFrom(env).contextMaxChars;
    /** The gate, then the extractive provider's own "nothing relevant" answer. */
    const extractiveAnswers = new Map<Retrieved, boolean>();
    for (const r of report) {
      const sources = numberSources(gate(winner.rule)(r), contextMaxChars);
      const { text } =
        sources.length === 0
          ? { text: EXTRACTIVE_NOTHING_FOUND }
          : await extractive.complete({
              prompt: { system: '', messages: [] },
              question: r.labelled.question,
              sources,
              maxTokens: 1,
            });
      extractiveAnswers.set(r, text !== EXTRACTIVE_NOTHING_FOUND);
    }
    const throughExtractive = (r: Retrieved) =>
      extractiveAnswers.get(r) ? gate(winner.rule)(r) : [];

    const ruleText = (rule: AbstentionRule) =>
      `CHAT_MIN_SCORE=${rule.minScore} CHAT_MIN_COVERAGE=${rule.minCoverage}`;
    const row = (name: string, set: Retrieved[], o: Outcome) =>
      `| ${name} | ${set.length} | ${fixed(abstainPrecision(o))} | ${fixed(abstainRecall(o))} | ` +
      `${fixed(answerPrecision(o))} | ${fixed(answerRecall(o))} | ${fixed(balancedAccuracy(o))} | ` +
      `${o.answeredWithExpected}/${o.answeredRight + o.abstainedWrong} |`;
    const header = [
      '| rule | questions | abstain precision | abstain recall | answer precision | answer recall | balanced accuracy | answered with expected doc |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    const familyRows = chosen.map(({ name, rule }) =>
      row(`${name}: ${ruleText(rule)}`, tuning, outcome(tuning, gate(rule))),
    );
    const reportRows = [
      row(`chosen: ${ruleText(winner.rule)}`, report, outcome(report, gate(winner.rule))),
      row(
        'chosen, then the extractive provider (its own "nothing relevant" answer counts as abstaining)',
        report,
        outcome(report, throughExtractive),
      ),
      row(`previous default: ${ruleText(previous)}`, report, outcome(report, gate(previous))),
    ];
    const byKind = (['paraphrase', 'off-topic', 'near-miss'] as const).map((kind) => {
      const set = report.filter((r) => r.labelled.kind === kind);
      const answered = set.filter((r) => gate(winner.rule)(r).length > 0).length;
      return `| ${kind} | ${set.length} | ${answered} | ${set.length - answered} |`;
    });
    const mistakes = report
      .filter((r) => gate(winner.rule)(r).length > 0 !== r.labelled.answerable)
      .map(
        (r) =>
          `- ${r.labelled.answerable ? 'abstained on' : 'answered'} (${r.labelled.kind}): ${r.labelled.question}`,
      );
    const france = retrieved.find((r) => r.labelled.question === FRANCE)!;
    const franceScores = france.results.map((result) => result.score.toFixed(3)).join(', ');

    const lines = [
      '# Chat abstention calibration',
      '',
      `Date: ${new Date().toISOString().slice(0, 10)} · command: \`npm run bench:abstention\` ` +
        '(bench/chat/abstention.ts; about as long as ingesting the corpus).',
      '',
      `Corpus: ${docs.length} npm READMEs of bench/retrieval (${chunks} chunks), ingested through ` +
        '`POST /chroma/update` into the API running in process with its defaults (embedded Chroma, ' +
        `local embedder, rerank). Each question is sent to \`POST /chroma/query\` with top_k ${topK} ` +
        "(chat's default), and the service's own `answerableChunks` (src/rag-chat/abstention.ts) " +
        'decides from those results whether /fast_chat answers or says "I don\'t know".',
      '',
      `Questions (bench/chat/abstention-questions.ts): ${retrieved.filter((r) => r.labelled.answerable).length} ` +
        `answerable (bench/retrieval's paraphrases, each with its README), ` +
        `${retrieved.filter((r) => !r.labelled.answerable).length} unanswerable ` +
        '(off-topic general knowledge, and near-miss software questions that no README answers). ' +
        `Split fixed before tuning: even positions of each list tune (${tuning.length}), ` +
        `odd positions report (${report.length}). Chroma's HNSW index is approximate, so a ` +
        're-run can move a figure by a question or two.',
      '',
      'Rule: a chunk is used when its score is at least CHAT_MIN_SCORE; the answer is "I don\'t ' +
        'know" when no used chunk contains at least CHAT_MIN_COVERAGE of the question\'s content ' +
        'words (stemmed, question words and articles left out). Each family was searched on the ' +
        'tuning half (score in steps of 0.01, coverage in steps of 0.05), maximising balanced ' +
        'accuracy (mean of abstain recall and answer recall); ties go to more answers, then the ' +
        'lowest coverage, then the middle of the tied score thresholds. The family with the best ' +
        'tuning figure wins.',
      '',
      '## Tuning half',
      '',
      ...header,
      ...familyRows,
      '',
      `Chosen: \`${ruleText(winner.rule)}\` (${winner.name}).`,
      '',
      '## Report half (held out)',
      '',
      'Abstain precision: of the questions answered "I don\'t know", the share that were ' +
        'unanswerable; abstain recall: of the unanswerable questions, the share answered "I don\'t ' +
        'know". Answer precision and recall are the same for answering. The last column counts ' +
        'answerable questions answered with their README among the sources.',
      '',
      ...header,
      ...reportRows,
      '',
      '| kind | questions | answered | abstained |',
      '| --- | --- | --- | --- |',
      ...byKind,
      '',
      `"${FRANCE}" (${france.labelled.half} half): scores ${franceScores}; chosen rule: ` +
        `${gate(winner.rule)(france).length > 0 ? 'answers' : 'abstains'}.`,
      '',
      'Misclassified on the report half:',
      '',
      ...(mistakes.length > 0 ? mistakes : ['- none']),
      '',
      `Configured defaults when this ran: \`${ruleText(configured)}\`` +
        (configured.minScore === winner.rule.minScore &&
        configured.minCoverage === winner.rule.minCoverage
          ? ' (the chosen rule).'
          : ' — differ from the chosen rule: update src/config/env.schema.ts, .env.example and the README.'),
      '',
    ];
    writeFileSync(join(__dirname, 'ABSTENTION.md'), lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
