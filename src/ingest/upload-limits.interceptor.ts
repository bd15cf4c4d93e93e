import {
  BadRequestException,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { catchError, throwError, type Observable } from 'rxjs';
import { DomainError } from '../common/domain-errors';
import { IngestConfig } from './ingest.config';

/**
 * Wraps the multer interceptor: refuses an upload whose declared size is over
 * INGEST_MAX_REQUEST_BYTES before any of it is buffered, and turns multer's limit errors
 * into 413s that name the setting to change.
 */
@Injectable()
export class UploadLimitsInterceptor implements NestInterceptor {
  constructor(private readonly config: IngestConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { maxRequestBytes, maxFileBytes, maxFiles } = this.config;
    const length = Number(context.switchToHttp().getRequest<Request>().headers['content-length']);
    if (length > maxRequestBytes) {
      return throwError(() =>
        tooLarge(`request body is larger than ${maxRequestBytes} bytes (INGEST_MAX_REQUEST_BYTES)`),
      );
    }
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
