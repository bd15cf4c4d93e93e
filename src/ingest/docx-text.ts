import JSZip from 'jszip';
import { runReader, TEXT_LIMIT, type ExtractLimits } from './extract-worker';
import { DecompressionLimitError, FileRejectedError } from './file-format';

const CORRUPT = 'corrupt or unreadable DOCX';

/**
 * Inflates every entry of a DOCX archive, counting and dropping the bytes, and refuses it as
 * soon as they add up to more than `maxBytes`: mammoth inflates whole parts into memory, and
 * the sizes a zip declares may lie. The same zip reader as mammoth's (jszip) lists the
 * entries, so both see the same archive.
 */
export async function checkInflatedSize(
  bytes: Buffer,
  { maxBytes, signal }: { maxBytes: number; signal?: AbortSignal },
): Promise<void> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new FileRejectedError(CORRUPT);
  }
  let total = 0;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const stream = entry.nodeStream('nodebuffer');
    try {
      await new Promise<void>((resolve, reject) => {
        const stop = (error: Error) => {
          // Paused and dropped: jszip inflates no further once nobody reads.
          stream.pause();
          reject(error);
        };
        stream.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (signal?.aborted) stop(signal.reason as Error);
          else if (total > maxBytes) stop(new DecompressionLimitError(maxBytes));
        });
        stream.on('end', resolve);
        stream.on('error', reject);
      });
    } catch (error) {
      if (error instanceof FileRejectedError || signal?.aborted) throw error;
      throw new FileRejectedError(CORRUPT);
    }
  }
}

/** mammoth builds the whole document in memory: in a worker, its heap is bounded. */
const DOCX_READER = `
const { parentPort, workerData } = require('node:worker_threads');
const mammoth = require(workerData.mammothPath);
const { data, maxFileTextBytes } = workerData;
mammoth
  .extractRawText({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) })
  .then(({ value }) => {
    if (Buffer.byteLength(value) > maxFileTextBytes) return parentPort.postMessage({ error: '${TEXT_LIMIT}' });
    parentPort.postMessage({ text: value });
    parentPort.postMessage({ done: true });
  })
  .catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

/** The raw text of a DOCX, refused before mammoth reads it if it inflates past the limit. */
export async function docxText(bytes: Buffer, limits: ExtractLimits): Promise<string> {
  await checkInflatedSize(bytes, { maxBytes: limits.maxDecompressedBytes, signal: limits.signal });
  const data = { mammothPath: require.resolve('mammoth'), data: new Uint8Array(bytes) };
  return (await runReader('DOCX', DOCX_READER, data, limits)).join('');
}
