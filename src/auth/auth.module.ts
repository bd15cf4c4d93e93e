import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ENV } from '../config/env';
import { AuthConfig, authConfigFrom } from './auth.config';
import { AuditInterceptor } from './audit.interceptor';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { CognitoJwtStrategy } from './cognito-jwt.strategy';
import { DevJwksController } from './dev-jwks.controller';
import { JwtAuthGuard } from './jwt-auth.guard';
import { LocalIssuerService } from './local-issuer.service';
import { RequestAuthenticator } from './request-authenticator';
import { SigningKeys } from './signing-keys.provider';
import { VerifiedTokenCache } from './verified-token-cache';

/**
 * Importing this module protects every route of the app: it registers the JWT guard and the
 * write audit globally; app.setup.ts asks its RequestAuthenticator before reading any body. The local issuer exists only when no Cognito pool is configured
 * (the config refuses that in production).
 */
@Module({
  controllers: [DevJwksController],
  providers: [
    { provide: AuthConfig, useFactory: authConfigFrom, inject: [ENV] },
    {
      provide: LocalIssuerService,
      useFactory: (auth: AuthConfig) =>
        auth.trusted.kind === 'local' ? LocalIssuerService.open(auth) : null,
      inject: [AuthConfig],
    },
    {
      provide: SigningKeys,
      useFactory: (auth: AuthConfig, local: LocalIssuerService | null) =>
        new SigningKeys(auth, local),
      inject: [AuthConfig, LocalIssuerService],
    },
    CognitoJwtStrategy,
    {
      provide: AuthFailureLimiter,
      useFactory: (auth: AuthConfig) => new AuthFailureLimiter(auth.failures),
      inject: [AuthConfig],
    },
    {
      provide: VerifiedTokenCache,
      useFactory: (auth: AuthConfig, keys: SigningKeys) =>
        new VerifiedTokenCache(auth.tokenCacheEntries, (kid) => keys.publicKey(kid)),
      inject: [AuthConfig, SigningKeys],
    },
    RequestAuthenticator,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuthConfig, LocalIssuerService, RequestAuthenticator],
})
export class AuthModule {}
