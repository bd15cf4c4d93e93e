import { Logger } from '@nestjs/common';
import { HealthCheckLogger } from './health-check.logger';

describe('HealthCheckLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reports a failed check (terminus logs it as an error) as a warning', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    new HealthCheckLogger().error('Health Check has failed! {"embedder":{"status":"down"}}');
    expect(warn).toHaveBeenCalledWith('Health Check has failed! {"embedder":{"status":"down"}}');
    expect(error).not.toHaveBeenCalled();
  });
});
