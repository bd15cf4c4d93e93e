import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LocalIssuerService } from './local-issuer.service';
import { Public } from './public.decorator';

/** Publishes the local issuer's keys so other local services can verify its tokens. */
@ApiExcludeController()
@Public()
@Controller('auth/dev')
export class DevJwksController {
  constructor(@Inject(LocalIssuerService) private readonly local: LocalIssuerService | null) {}

  @Get('jwks.json')
  jwks(): ReturnType<LocalIssuerService['jwks']> {
    // Answers like an unknown route when Cognito is trusted.
    if (!this.local) throw new NotFoundException('Cannot GET /auth/dev/jwks.json');
    return this.local.jwks();
  }
}
