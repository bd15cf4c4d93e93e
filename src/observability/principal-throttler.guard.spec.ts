import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { STRICT_THROTTLER, StrictThrottle, throttlerOptions } from './principal-throttler.guard';

@Controller()
class RoutesController {
  @Get('chat')
  @StrictThrottle()
  chat(): void {}

  @Get('list')
  list(): void {}
}

const contextFor = (handler: keyof RoutesController) =>
  ({
    getHandler: () => RoutesController.prototype[handler],
    getClass: () => RoutesController,
  }) as unknown as ExecutionContext;

describe('throttlerOptions', () => {
  const options = throttlerOptions({ ttlMs: 60_000, limit: 600, strictLimit: 30 });
  const throttlers = 'throttlers' in options ? options.throttlers : options;
  const strict = throttlers.find((throttler) => throttler.name === STRICT_THROTTLER)!;

  it('applies the default window everywhere and the strict one to marked routes only', () => {
    expect(throttlers.find((throttler) => throttler.name === 'default')).toMatchObject({
      ttl: 60_000,
      limit: 600,
    });
    expect(strict).toMatchObject({ ttl: 60_000, limit: 30 });
    expect(strict.skipIf?.(contextFor('chat'))).toBe(false);
    expect(strict.skipIf?.(contextFor('list'))).toBe(true);
  });
});
