import { HTMLElement, type Node, NodeType, parse } from 'node-html-parser';

/** Elements that are page furniture rather than content. */
const BOILERPLATE = 'script, style, noscript, template, nav, header, footer, aside, form';

/** Elements a browser lays out as blocks: their text never runs into a neighbour's. */
const BLOCKS = new Set(
  (
    'address article aside blockquote body caption dd details dialog div dl dt fieldset ' +
    'figcaption figure footer form header hr html legend li main menu nav ol p pre section ' +
    'summary table tbody tfoot thead tr ul'
  ).split(' '),
);
/** Table cells sit side by side: a space between them, never glued. */
const CELLS = new Set(['td', 'th']);
const HEADING = /^h([1-6])$/;
/** Heading self-links (`#`, Sphinx's `¶`, `§`) are navigation, not words of the heading. */
const PERMALINK_MARKS = new Set(['#', '¶', '§', '🔗']);

/**
 * Accumulates text as a browser would lay it out: runs of whitespace become one space, block
 * boundaries a blank line (the chunker's paragraph boundary), `<pre>` and `<br>` keep their
 * line breaks. Nothing is ever glued that had whitespace or a block boundary between it.
 */
class TextLayout {
  private readonly parts: string[] = [];
  /** Newlines at the end of the output; Infinity before any text, so no leading breaks. */
  private trailingNewlines = Infinity;
  private trailingSpace = false;

  inline(text: string): void {
    const collapsed = text.replace(/\s+/g, ' ');
    const atLineStart = this.trailingNewlines > 0 || this.trailingSpace;
    this.push(atLineStart ? collapsed.replace(/^ /, '') : collapsed);
  }

  verbatim(text: string): void {
    this.push(text);
  }

  space(): void {
    if (this.trailingNewlines === 0 && !this.trailingSpace) this.push(' ');
  }

  /** Ends the line: 1 newline for `<br>`, 2 (a blank line) for a block. */
  lineBreak(newlines: 1 | 2): void {
    if (this.trailingNewlines >= newlines) return;
    if (this.trailingSpace) this.parts[this.parts.length - 1] = this.parts.at(-1)!.trimEnd();
    this.parts.push('\n'.repeat(newlines - this.trailingNewlines));
    this.trailingNewlines = newlines;
    this.trailingSpace = false;
  }

  toString(): string {
    return this.parts
      .join('')
      .replace(/[^\S\n]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  private push(text: string): void {
    if (text === '') return;
    this.parts.push(text);
    const newlines = /\n*$/.exec(text)![0].length;
    this.trailingNewlines = newlines === text.length ? this.trailingNewlines + newlines : newlines;
    this.trailingSpace = newlines === 0 && /\s$/.test(text);
  }
}

const isPermalink = (element: HTMLElement): boolean =>
  element.tagName === 'A' &&
  (element.getAttribute('href') ?? '').startsWith('#') &&
  PERMALINK_MARKS.has(element.text.trim());

function layOut(node: Node, out: TextLayout, inPre: boolean): void {
  if (node.nodeType === NodeType.TEXT_NODE) {
    if (inPre) out.verbatim(node.text);
    else out.inline(node.text);
    return;
  }
  if (!(node instanceof HTMLElement)) return;
  const tag = node.tagName?.toLowerCase() ?? '';
  if (tag === 'br') return out.lineBreak(1);
  if (isPermalink(node)) return;
  const heading = HEADING.exec(tag);
  if (heading) return layOutHeading(node, Number(heading[1]), out);
  const block = BLOCKS.has(tag);
  if (block) out.lineBreak(2);
  if (CELLS.has(tag)) out.space();
  for (const child of node.childNodes) layOut(child, out, inPre || tag === 'pre');
  if (CELLS.has(tag)) out.space();
  if (block) out.lineBreak(2);
}

/** A heading on a line of its own, as Markdown, so the chunker starts sections at it. */
function layOutHeading(heading: HTMLElement, level: number, out: TextLayout): void {
  const inner = new TextLayout();
  for (const child of heading.childNodes) layOut(child, inner, false);
  const text = inner.toString().replace(/\s+/g, ' ');
  if (text === '') return;
  out.lineBreak(2);
  out.verbatim(`${'#'.repeat(level)} ${text}`);
  out.lineBreak(2);
}

/** Visible text of a page, laid out in lines and paragraphs, headings as Markdown. */
export function htmlToText(html: string): { title?: string; text: string } {
  // `pre` is parsed as elements too (by default its markup would stay raw text).
  const root = parse(html, {
    comment: false,
    blockTextElements: { script: true, style: true, noscript: true },
  });
  const title = root.querySelector('title')?.text.replace(/\s+/g, ' ').trim();
  for (const element of root.querySelectorAll(BOILERPLATE)) element.remove();
  const body = root.querySelector('main') ?? root.querySelector('body') ?? root;
  const out = new TextLayout();
  layOut(body, out, false);
  return { title: title || undefined, text: out.toString() };
}
