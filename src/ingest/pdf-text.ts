import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FileRejectedError } from './file-format';

/**
 * Runs in a worker thread: pdfjs-dist is ESM only, and a worker loads it natively whatever
 * compiled the caller (ts-node, jest), keeps the parse off the event loop and can be stopped
 * when a hostile file makes it spin.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const pdfjs = await import(workerData.pdfjsUrl);
  const pdf = await pdfjs.getDocument({
    data: workerData.data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  const pages = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\\n' : '') : '')).join(''));
  }
  await pdf.destroy();
  parentPort.postMessage({ pages });
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

const pdfjsUrl = () => pathToFileURL(require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href;

/** The text layer of each page, in order (blank for a page without text). */
export async function pdfPageTexts(data: Uint8Array, timeoutMs: number): Promise<string[]> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // A copy: the worker takes ownership of what it is sent.
    workerData: { pdfjsUrl: pdfjsUrl(), data: new Uint8Array(data) },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await new Promise<{ pages?: string[]; error?: string }>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new FileRejectedError(`PDF text extraction took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', () => reject(new FileRejectedError('PDF reader stopped unexpectedly')));
    });
    if (!answer.pages) throw new FileRejectedError(`unreadable PDF: ${answer.error}`);
    return answer.pages;
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
