import { paragraphs, sentences } from './sentences';

describe('sentences', () => {
  it('keeps version numbers whole', () => {
    expect(
      sentences('Backward compatibility notes (for Git 2.0) follow. Install v1.2.3 or later.'),
    ).toEqual(['Backward compatibility notes (for Git 2.0) follow.', 'Install v1.2.3 or later.']);
    expect(sentences('Node.js 24.15.0 is required. It ships npm.')).toEqual([
      'Node.js 24.15.0 is required.',
      'It ships npm.',
    ]);
  });

  it('does not end a sentence at an abbreviation', () => {
    expect(
      sentences(
        'Use a framework, e.g. Express or Koa. Pick one, i.e. The one you know. ' +
          'Mr. Smith wrote this. See the docs (cf. Chapter 2) first! Really? Yes.',
      ),
    ).toEqual([
      'Use a framework, e.g. Express or Koa.',
      'Pick one, i.e. The one you know.',
      'Mr. Smith wrote this.',
      'See the docs (cf. Chapter 2) first!',
      'Really?',
      'Yes.',
    ]);
    expect(sentences('Files, folders, links, etc. Anything on disk counts.')).toEqual([
      'Files, folders, links, etc. Anything on disk counts.',
    ]);
  });

  it('joins hard-wrapped lines of a paragraph before segmenting', () => {
    expect(
      sentences(
        'Every new engineer receives a laptop on\nthe first day of work, running Git\n2.0 or later. The office\r\nhas a café.',
      ),
    ).toEqual([
      'Every new engineer receives a laptop on the first day of work, running Git 2.0 or later.',
      'The office has a café.',
    ]);
  });

  it('keeps blank lines, headings, list items, table rows and code lines as boundaries', () => {
    const text = [
      '# Install',
      'Run the installer',
      '',
      'Then restart',
      '- first item that',
      '  wraps here',
      '* second item',
      '1. numbered item',
      '2) another one',
      '> a quote',
      '| a | b |',
      '```sh',
      'npm install',
      'npm test',
      '```',
      'Done at last',
    ].join('\n');
    expect(paragraphs(text)).toEqual([
      '# Install',
      'Run the installer',
      'Then restart',
      '- first item that wraps here',
      '* second item',
      '1. numbered item',
      '2) another one',
      '> a quote',
      '| a | b |',
      'npm install',
      'npm test',
      'Done at last',
    ]);
    expect(sentences(text)).toEqual(paragraphs(text));
  });

  it('returns nothing for blank text', () => {
    expect(sentences(' \n\n \t')).toEqual([]);
  });
});
