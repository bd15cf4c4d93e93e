/** MIME types seen in the wild for each extension we normalise to. */
const MIME_BY_EXTENSION: Record<string, string[]> = {
  pdf: ['application/pdf'],
  txt: ['text/plain'],
  md: ['text/markdown', 'text/x-markdown'],
  html: ['text/html', 'application/xhtml+xml'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  doc: ['application/msword'],
  json: ['application/json'],
  csv: ['text/csv'],
  xml: ['application/xml', 'text/xml'],
};

const ALIASES: Record<string, string> = {
  markdown: 'md',
  text: 'txt',
  plain: 'txt',
  htm: 'html',
  xhtml: 'html',
};

const EXTENSION_BY_MIME = new Map(
  Object.entries(MIME_BY_EXTENSION).flatMap(([ext, mimes]) => mimes.map((mime) => [mime, ext])),
);

/**
 * Normalises a file type written any way clients write it ('PDF', '.pdf', 'application/pdf',
 * 'text/markdown; charset=utf-8') to a bare lower-case extension ('pdf', 'md').
 */
export function normalizeFileType(value: string): string {
  const lowered = value.trim().toLowerCase();
  const mime = lowered.split(';')[0].trim();
  const fromMime = EXTENSION_BY_MIME.get(mime);
  if (fromMime) return fromMime;
  const bare = mime.replace(/^\.+/, '');
  return ALIASES[bare] ?? bare;
}

/** Every spelling of a file type that stored metadata might use, for the fallback tier. */
export function fileTypeVariants(value: string): string[] {
  const ext = normalizeFileType(value);
  const spellings = [ext, `.${ext}`, ext.toUpperCase(), `.${ext.toUpperCase()}`];
  const aliases = Object.entries(ALIASES)
    .filter(([, target]) => target === ext)
    .map(([alias]) => alias);
  return [...new Set([value, ...spellings, ...aliases, ...(MIME_BY_EXTENSION[ext] ?? [])])];
}
