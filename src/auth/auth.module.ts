import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { AuditInterceptor } from './audit.interceptor';
import { CognitoJwtStrategy } from './cognito-jwt.strategy';
import { DevJwksController } from './dev-jwks.controller';
import { JwtAuthGuard } from './jwt-auth.guard';
import { LocalIssuerService } from './local-issuer.service';
import { SigningKeys } from './signing-keys.provider';

/**
 * Importing this module protects every route of the app: it registers the JWT guard and the
 * write audit globally. The local issuer exists only when no Cognito pool is configured
 * (the config refuses that in production).
 */
@Module({
  controllers: [DevJwksController],
  providers: [
    {
      provide: LocalIssuerService,
      useFactory: (config: AppConfig) =>
        config.auth.trusted.kind === 'local' ? LocalIssuerService.open(config.auth) : null,
      inject: [AppConfig],
    },
    {
      provide: SigningKeys,
      useFactory: (config: AppConfig, local: LocalIssuerService | null) =>
        new SigningKeys(config.auth, local),
      inject: [AppConfig, LocalIssuerService],
    },
    CognitoJwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [LocalIssuerService],
})
export class AuthModule {}
