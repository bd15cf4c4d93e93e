import type { LoggerService } from '@nestjs/common';
import { AppLogger } from './app-logger';

describe('AppLogger', () => {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      calls.push([level, args]);
  const inner = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
  } satisfies LoggerService;
  beforeEach(() => (calls.length = 0));

  it("demotes Nest's route and module narration to debug", () => {
    const logger = new AppLogger(inner);
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Nest application successfully started', 'NestApplication');
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
  });

  it('keeps every other line at its level', () => {
    const logger = new AppLogger(inner);
    logger.log('API ready on http://localhost:3000', 'Bootstrap');
    logger.warn('careful', 'Health');
    logger.error('broken', 'Errors');
    expect(calls).toEqual([
      ['log', ['API ready on http://localhost:3000', 'Bootstrap']],
      ['warn', ['careful', 'Health']],
      ['error', ['broken', 'Errors']],
    ]);
  });
});
