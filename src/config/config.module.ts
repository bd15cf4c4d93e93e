import { Global, Module } from '@nestjs/common';
import { ENV, readEnv } from './env';

/** Validates the environment once at boot; tests override `ENV` with `parseEnv({...})`. */
@Global()
@Module({
  providers: [{ provide: ENV, useFactory: readEnv }],
  exports: [ENV],
})
export class ConfigModule {}
