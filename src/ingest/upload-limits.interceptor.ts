import {
  BadRequestException,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { DomainError } from '../common/domain-errors';
import { IngestConfig } from './ingest.config';

/**
 * Wraps the multer interceptor: turns multer's limit errors into 413s that name the setting to
 * change. The request's total size is counted as it arrives by multer's stream handler
 * (meteredUpload), which answers by itself.
 */
@Injectable()
export class UploadLimitsInterceptor implements NestInterceptor {
  constructor(private readonly config: IngestConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { maxFileBytes, maxFiles } = this.config;
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof PayloadTooLargeException) {
          return throwError(() =>
            tooLarge(`files: a file is larger than ${maxFileBytes} bytes (INGEST_MAX_FILE_BYTES)`),
          );
        }
        if (error instanceof BadRequestException && error.message === 'Too many files') {
          return throwError(() =>
            tooLarge(`files: more than ${maxFiles} files in one job (INGEST_MAX_FILES)`),
          );
        }
        return throwError(() => error);
      }),
    );
  }
}

const tooLarge = (message: string) => new DomainError('payload_too_large', message);
