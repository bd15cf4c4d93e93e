import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { REQUEST_ID_HEADER } from './logging';

/** Security headers, proxy trust and CORS (off unless CORS_ORIGINS lists origins). */
export function applyHttpHardening(
  app: NestExpressApplication,
  ops: { trustProxy: number; corsOrigins: string[] },
): void {
  app.set('trust proxy', ops.trustProxy);
  app.use(helmet());
  if (ops.corsOrigins.length > 0) {
    app.enableCors({
      origin: ops.corsOrigins,
      exposedHeaders: [REQUEST_ID_HEADER, 'Retry-After'],
      maxAge: 600,
    });
  }
}
