import type { Request } from 'express';
import type { Writable } from 'node:stream';
import { ByteBudget, meterRequestBody } from '../common/request-body-meter';
import type { IngestConfig } from './ingest.config';

/**
 * multer's `streamHandler`: feeds the upload to busboy while counting its bytes, so a chunked
 * upload is refused (413 naming INGEST_MAX_REQUEST_BYTES) as soon as it passes the limit, like
 * one that declares its size. Files stay in memory (texts are extracted at once), so the bytes
 * all uploads hold together are bounded too: past INGEST_UPLOAD_BUDGET_BYTES, 503 + Retry-After.
 * A bounded budget was chosen over spooling to disk: no temp files to clean up after a crash,
 * and extraction keeps reading buffers. Busboy is destroyed on refusal, so multer fails the
 * request and the handler never runs: nothing is stored.
 */
export function meteredUpload({
  maxRequestBytes,
  uploadBudgetBytes,
}: Pick<IngestConfig, 'maxRequestBytes' | 'uploadBudgetBytes'>): (
  request: Request,
  busboy: Writable,
) => void {
  const budget = new ByteBudget(uploadBudgetBytes);
  return (request, busboy) => {
    const meter = meterRequestBody(
      request,
      request.res!,
      {
        maxBytes: maxRequestBytes,
        setting: 'INGEST_MAX_REQUEST_BYTES',
        budget,
        budgetSetting: 'INGEST_UPLOAD_BUDGET_BYTES',
      },
      (error) => {
        request.unpipe(busboy);
        busboy.destroy(error);
      },
    );
    if (!meter.refused) request.pipe(busboy);
  };
}
