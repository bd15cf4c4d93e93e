import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAuth } from '../auth/api-auth.decorator';
import { canAccessCollection } from '../auth/collection-access';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiErrorDto } from '../common/api-error.dto';
import { NotFoundError } from '../common/domain-errors';
import { DocumentsConfig } from '../documents/documents.config';
import {
  ReindexRunDto,
  RollbackDto,
  RollbackResponseDto,
  StartReindexDto,
} from './dto/reindex.dto';
import { ReindexService } from './reindex.service';

const BODY_TOO_LARGE = { type: ApiErrorDto, description: 'The body is over its limit' };

@ApiTags('reindex')
@ApiAuth()
@ApiBadRequestResponse({
  type: ApiErrorDto,
  description: 'Invalid input; the message names the field',
})
@ApiServiceUnavailableResponse({
  type: ApiErrorDto,
  description: 'Chroma or the embedder is unreachable',
})
@ApiGatewayTimeoutResponse({
  type: ApiErrorDto,
  description: 'Chroma did not answer in time (CHROMA_TIMEOUT_MS)',
})
@RequireRole('admin')
@Controller('admin/reindex')
export class ReindexController {
  constructor(
    private readonly reindex: ReindexService,
    private readonly documents: DocumentsConfig,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'startReindex',
    summary: 'Rebuild a collection with the configured embedder',
    description:
      'Copies the active generation into a new one, re-embedding every chunk, while queries keep answering from the active one and writes go to both; then verifies and switches. Runs only when the active generation was made by another embedder, unless `force`.',
  })
  @ApiAcceptedResponse({ type: ReindexRunDto, description: 'The build started' })
  @ApiPayloadTooLargeResponse(BODY_TOO_LARGE)
  @ApiOkResponse({
    type: ReindexRunDto,
    description: 'Nothing to do: the collection already uses the configured embedder',
  })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'The collection does not exist' })
  @ApiConflictResponse({
    type: ApiErrorDto,
    description: 'A re-index of this collection is already running',
  })
  async start(
    @CurrentUser() user: Principal,
    @Body() body: StartReindexDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ReindexRunDto> {
    const collection = this.accessible(user, body.collection);
    const { status, done } = await this.reindex.start(collection, body.force ?? false);
    response.status(done ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return status;
  }

  @Post('rollback')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rollbackReindex',
    summary: 'Serve the previous generation again',
    description:
      'Swaps the active and previous generations in one registry write. With `REINDEX_CRON` set and the embedder unchanged, the next scheduled run re-indexes again.',
  })
  @ApiOkResponse({ type: RollbackResponseDto })
  @ApiPayloadTooLargeResponse(BODY_TOO_LARGE)
  @ApiNotFoundResponse({
    type: ApiErrorDto,
    description: 'The collection was never re-indexed',
  })
  @ApiConflictResponse({
    type: ApiErrorDto,
    description: 'A re-index is running, or there is no previous generation',
  })
  rollback(
    @CurrentUser() user: Principal,
    @Body() body: RollbackDto,
  ): Promise<RollbackResponseDto> {
    return this.reindex.rollback(this.accessible(user, body.collection));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getReindexRun', summary: 'Progress or outcome of a re-index run' })
  @ApiParam({ name: 'id', description: 'Run id returned by startReindex' })
  @ApiOkResponse({ type: ReindexRunDto })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such run' })
  async get(@CurrentUser() user: Principal, @Param('id') id: string): Promise<ReindexRunDto> {
    const status = await this.reindex.status(id);
    this.accessible(user, status.collection);
    return status;
  }

  /** A collection the caller may manage; a denied one answers like a missing one. */
  private accessible(user: Principal, name: string | undefined): string {
    const collection = name ?? this.documents.defaultCollection;
    if (!canAccessCollection(user, collection)) throw new NotFoundError('collection', collection);
    return collection;
  }
}
