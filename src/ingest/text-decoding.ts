import { FileRejectedError } from './file-format';

/** What besides the bytes may say how a text is encoded. */
export interface TextDeclarations {
  /** The upload's Content-Type: its `charset` parameter is a declaration. */
  mime: string;
  /** Whether to look for `<meta charset>` / http-equiv and an XML declaration. */
  html?: boolean;
}

const BYTE_ORDER_MARKS: [mark: Buffer, encoding: string][] = [
  [Buffer.from([0xef, 0xbb, 0xbf]), 'utf-8'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];
/** How far into a page a browser looks for its encoding declaration (the HTML prescan). */
const PRESCAN_BYTES = 1024;
/** `<meta charset="x">` and `<meta http-equiv="Content-Type" content="text/html; charset=x">`. */
const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([^\s"'/>;]+)/i;
const XML_ENCODING = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']+)["']/;
const MIME_CHARSET = /;\s*charset\s*=\s*"?([^\s";]+)/i;
/** Undeclared text that is not UTF-8: the legacy default of browsers (and a superset of latin-1). */
const FALLBACK_ENCODING = 'windows-1252';
/**
 * Text has almost no control characters besides whitespace; a binary file decoded as a
 * single-byte charset has them every few bytes.
 */
const MAX_CONTROL_SHARE = 0.01;

/** The WHATWG name of a charset label (`ISO-8859-1` → `windows-1252`), or undefined. */
function encodingOf(label: string | undefined): string | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined; // An unknown label declares nothing.
  }
}

function declaredInDocument(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, PRESCAN_BYTES).toString('latin1');
  const encoding = encodingOf(XML_ENCODING.exec(head)?.[1] ?? META_CHARSET.exec(head)?.[1]);
  // A declaration readable as ASCII cannot be UTF-16 (the HTML standard's rule).
  return encoding?.startsWith('utf-16') ? 'utf-8' : encoding;
}

function decodeStrictly(bytes: Buffer, encoding: string): string | undefined {
  try {
    // The decoder drops a leading byte order mark of its encoding.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function controlShare(text: string): number {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const whitespace = code >= 0x09 && code <= 0x0d;
    if ((code < 0x20 && !whitespace) || (code >= 0x7f && code <= 0x9f)) controls++;
  }
  return text.length === 0 ? 0 : controls / text.length;
}

/**
 * Decodes an uploaded text file. The encoding is, in this order: a byte order mark (UTF-8,
 * UTF-16LE/BE), the upload's `charset`, for HTML a `<meta>` or XML declaration; otherwise UTF-8
 * and, when the bytes are not valid UTF-8, windows-1252 (never failing, so a latin-1 file
 * without a declaration still reads). A declaration the bytes contradict is ignored the same
 * way. Content with NUL bytes or more than 1 % control characters is refused as binary.
 */
export function decodeText(bytes: Buffer, { mime, html = false }: TextDeclarations): string {
  const bom = BYTE_ORDER_MARKS.find(([mark]) => bytes.subarray(0, mark.length).equals(mark));
  const declared = encodingOf(MIME_CHARSET.exec(mime)?.[1]);
  let text: string | undefined;
  if (bom) {
    const [, encoding] = bom;
    text = decodeStrictly(bytes, encoding);
    if (text === undefined) throw new FileRejectedError(`not valid ${encoding} text`);
  } else if (declared?.startsWith('utf-16')) {
    text = decodeStrictly(bytes, declared);
  }
  if (text === undefined) {
    // NUL is valid in most charsets but never in text: an executable or image of no known format.
    if (bytes.includes(0)) throw new FileRejectedError('binary content (NUL bytes), not text');
    const encoding = declared ?? (html ? declaredInDocument(bytes) : undefined);
    text =
      (encoding && decodeStrictly(bytes, encoding)) ??
      decodeStrictly(bytes, 'utf-8') ??
      new TextDecoder(FALLBACK_ENCODING).decode(bytes);
  }
  if (controlShare(text) > MAX_CONTROL_SHARE) {
    throw new FileRejectedError('binary content (control characters), not text');
  }
  return text;
}
