import { EXTRACTIVE_FRAMING, EXTRACTIVE_NOTHING_FOUND, ExtractiveLlm } from './extractive.llm';
import type { LlmRequest } from './llm.port';
import type { PromptSource } from './prompt-builder';

const source = (n: number, text: string): PromptSource => ({
  n,
  document_id: `doc-${n}`,
  chunk_id: `doc-${n}#0`,
  text,
  metadata: {},
  score: 0.5,
});

const SOURCES = [
  source(
    1,
    '# Laptops\n\nEvery new engineer receives a laptop on the first day. The office has a café.',
  ),
  source(
    2,
    'Laptops are replaced every three years! Every new engineer receives a laptop on the first day.',
  ),
];

const request = (question: string, sources = SOURCES): LlmRequest => ({
  prompt: { system: '', messages: [] },
  question,
  sources,
  maxTokens: 100,
});

describe('ExtractiveLlm', () => {
  const llm = new ExtractiveLlm(2);

  it('answers with the best-matching source sentences, verbatim and cited', async () => {
    const { text, usage } = await llm.complete(request('When do engineers get their laptops?'));
    expect(text).toBe(
      [
        EXTRACTIVE_FRAMING,
        'Every new engineer receives a laptop on the first day. [1]',
        'Laptops are replaced every three years! [2]',
      ].join('\n'),
    );
    expect(usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it('never writes a sentence that is not in its cited source', async () => {
    const sources = [
      ...SOURCES,
      source(3, 'Every laptop runs Git\n2.0 or later,\nthe office says.'),
    ];
    const { text } = await llm.complete(request('engineer laptop years office café day', sources));
    const oneLine = (words: string) => words.replace(/\s+/g, ' ');
    for (const line of text.split('\n').slice(1)) {
      const [, sentence, n] = /^(.*) \[(\d+)\]$/.exec(line)!;
      expect(oneLine(sources[Number(n) - 1].text)).toContain(sentence);
    }
  });

  it('quotes whole sentences across versions, abbreviations and line wraps', async () => {
    const wrapped = source(
      1,
      'Backward compatibility notes (for Git 2.0) are kept in\nthe release notes, e.g. Git 2.0.1 changes push.\n\n- A list item about push',
    );
    const { text } = await llm.complete(
      request('Where are the Git backward compatibility notes?', [wrapped]),
    );
    expect(text.split('\n')).toEqual([
      EXTRACTIVE_FRAMING,
      'Backward compatibility notes (for Git 2.0) are kept in the release notes, e.g. Git 2.0.1 changes push. [1]',
    ]);
  });

  it("says it doesn't know when no sentence shares a content word with the question", async () => {
    await expect(llm.complete(request('Can pets come along?'))).resolves.toMatchObject({
      text: EXTRACTIVE_NOTHING_FOUND,
    });
    await expect(llm.complete(request('laptop', []))).resolves.toMatchObject({
      text: EXTRACTIVE_NOTHING_FOUND,
    });
  });

  it('streams the same text, then usage', async () => {
    const events = [];
    for await (const event of llm.stream(request('laptop replaced'))) events.push(event);
    const text = events.map((e) => (e.type === 'token' ? e.text : '')).join('');
    expect(text).toBe((await llm.complete(request('laptop replaced'))).text);
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { input_tokens: 0, output_tokens: 0 } });
  });
});
