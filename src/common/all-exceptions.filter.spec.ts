import { Controller, Get, HttpStatus, INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AllExceptionsFilter } from './all-exceptions.filter';
import {
  EmbedderMismatchError,
  LlmProviderError,
  NotFoundError,
  TooManyRequestsError,
  VectorStoreUnavailableError,
} from './domain-errors';

@Controller()
class ThrowingController {
  @Get('not-found')
  notFound(): never {
    throw new NotFoundError('document', 'abc');
  }

  @Get('mismatch')
  mismatch(): never {
    throw new EmbedderMismatchError('docs', 'local/a/100', 'openai/b/1536');
  }

  @Get('unavailable')
  unavailable(): never {
    throw new VectorStoreUnavailableError();
  }

  @Get('bad-gateway')
  badGateway(): never {
    throw new LlmProviderError('the language model answered HTTP 500');
  }

  @Get('too-many')
  tooMany(): never {
    throw new TooManyRequestsError('at most 4 ingest jobs at once', 7);
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret internals at /srv/app.js:12');
  }
}

describe('AllExceptionsFilter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ThrowingController],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  it.each([
    ['/not-found', HttpStatus.NOT_FOUND, "document 'abc' was not found"],
    ['/mismatch', HttpStatus.CONFLICT, 're-index'],
    ['/unavailable', HttpStatus.SERVICE_UNAVAILABLE, 'unavailable'],
    ['/bad-gateway', HttpStatus.BAD_GATEWAY, 'HTTP 500'],
  ])('maps %s to %i', async (path, status, fragment) => {
    const response = await request(app.getHttpServer()).get(path).expect(status);
    expect(response.body.statusCode).toBe(status);
    expect(response.body.message).toContain(fragment);
  });

  it('tells clients when to retry an unavailable store', async () => {
    const response = await request(app.getHttpServer()).get('/unavailable');
    expect(response.headers['retry-after']).toBe('5');
  });

  it('answers a caller over a limit with 429 and its Retry-After', async () => {
    const response = await request(app.getHttpServer()).get('/too-many').expect(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body.message).toContain('at most 4');
  });

  it('never puts internals in a 500 body', async () => {
    const response = await request(app.getHttpServer()).get('/crash').expect(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error',
    });
  });
});
