import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAuth } from '../auth/api-auth.decorator';
import { canAccessCollection } from '../auth/collection-access';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { RequireRole } from '../auth/require-role.decorator';
import { UUID_SCHEMA } from '../common/api-contract';
import { ApiErrors } from '../common/api-errors.decorator';
import { NotFoundError } from '../common/domain-errors';
import { DocumentsConfig } from '../documents/documents.config';
import {
  ReindexRunDto,
  RollbackDto,
  RollbackResponseDto,
  StartReindexDto,
} from './dto/reindex.dto';
import { ReindexService } from './reindex.service';

@ApiTags('reindex')
@ApiAuth()
@ApiErrors(400, 503, 504)
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
      'Copies the active generation into a new one, re-embedding every chunk, while queries keep answering from the active one and writes go to both; then verifies and switches. Runs only when the active generation was made by another embedder, unless `force`; before switching, probe queries must find the same documents in both generations (REINDEX_PROBES), else the run fails and the active generation keeps serving.',
  })
  @ApiAcceptedResponse({ type: ReindexRunDto, description: 'The build started' })
  @ApiOkResponse({
    type: ReindexRunDto,
    description:
      'Nothing to do: the collection already uses the configured embedder (`up_to_date`, `message` says how to force a rebuild)',
  })
  @ApiErrors(413, 404, {
    409: {
      description: 'A re-index of this collection is already running',
      message: "a re-index of 'docs' is already running (run 0b6f8a52-3c1d-4e7a-9f21-5d8c7b6a4e30)",
    },
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
      'Swaps the active and previous generations in one registry write; without a body, of DEFAULT_COLLECTION (like startReindex). The run that built the generation rolled back from then reports `rolled_back` and the generation `serving`. With `REINDEX_CRON` set and the embedder unchanged, the next scheduled run re-indexes again.',
  })
  @ApiOkResponse({ type: RollbackResponseDto })
  @ApiErrors(413, {
    404: {
      description: 'The collection was never re-indexed',
      message: "collection generations of 'docs' was not found",
    },
    409: {
      description: 'A re-index is running, or there is no previous generation',
      message: "'docs' has no previous generation to roll back to",
    },
  })
  rollback(
    @CurrentUser() user: Principal,
    @Body() body: RollbackDto,
  ): Promise<RollbackResponseDto> {
    return this.reindex.rollback(this.accessible(user, body.collection));
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getReindexRun',
    summary: 'Progress or outcome of a re-index run',
    description: 'Chunks copied of the total while `building`, then the final state.',
  })
  @ApiParam({ name: 'id', description: 'Run id returned by startReindex', schema: UUID_SCHEMA })
  @ApiOkResponse({ type: ReindexRunDto })
  @ApiErrors({
    404: {
      description: 'No such run',
      message: "re-index run '0b6f8a52-3c1d-4e7a-9f21-5d8c7b6a4e30' was not found",
    },
  })
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
