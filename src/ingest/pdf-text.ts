import { pathToFileURL } from 'node:url';
import { DECOMPRESSION_LIMIT, runReader, TEXT_LIMIT, type ExtractLimits } from './extract-worker';

/**
 * pdfjs-dist is ESM only; a worker loads it natively whatever compiled the caller (ts-node,
 * jest).
 *
 * pdf.js inflates a stream into one Uint8Array that doubles as it grows, outside the heap that
 * `resourceLimits` bounds: in this worker Uint8Array refuses any single allocation over
 * `maxBufferBytes`, which stops a flate bomb at that size (a global patch, harmless in a thread
 * that runs nothing else). Pages are posted as they are read; reading stops at the page that
 * takes the file's text past `maxFileTextBytes`.
 */
const PDF_READER = `
const { parentPort, workerData } = require('node:worker_threads');
const { maxBufferBytes, maxFileTextBytes } = workerData;
let textBytes = 0;
// pdf.js logs and skips errors inside a page's content: the flag is what reports the refusal.
let overLimit = false;
globalThis.Uint8Array = new Proxy(Uint8Array, {
  construct(target, args, newTarget) {
    if (typeof args[0] === 'number' && args[0] > maxBufferBytes) {
      overLimit = true;
      throw new RangeError('${DECOMPRESSION_LIMIT}');
    }
    return Reflect.construct(target, args, newTarget);
  },
});
(async () => {
  const pdfjs = await import(workerData.pdfjsUrl);
  const pdf = await pdfjs.getDocument({
    data: workerData.data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    if (overLimit) throw new RangeError('${DECOMPRESSION_LIMIT}');
    const text = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\\n' : '') : '')).join('');
    textBytes += Buffer.byteLength(text);
    if (textBytes > maxFileTextBytes) {
      parentPort.postMessage({ error: '${TEXT_LIMIT}', part: n });
      return;
    }
    parentPort.postMessage({ text });
  }
  await pdf.destroy();
  parentPort.postMessage({ done: true });
})().catch((error) =>
  parentPort.postMessage({
    error: overLimit ? '${DECOMPRESSION_LIMIT}' : String((error && error.message) || error),
  }),
);
`;

const pdfjsUrl = () => pathToFileURL(require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href;

/** The text layer of each page, in order (blank for a page without text). */
export function pdfPageTexts(data: Uint8Array, limits: ExtractLimits): Promise<string[]> {
  return runReader(
    'PDF',
    PDF_READER,
    {
      pdfjsUrl: pdfjsUrl(),
      // A copy: the worker takes ownership of what it is sent.
      data: new Uint8Array(data),
      // pdf.js copies the file itself into one buffer: that is no bomb.
      maxBufferBytes: Math.max(limits.maxDecompressedBytes, data.length),
    },
    limits,
  );
}
