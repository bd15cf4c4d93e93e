import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '../auth/api-auth.decorator';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { RequireRole } from '../auth/require-role.decorator';
import { limitedBy } from '../common/api-contract';
import { ApiErrors } from '../common/api-errors.decorator';
import { Deadline, HandlerDeadline } from '../observability/handler-deadline';
import { DocumentsService } from './documents.service';
import {
  CollectionQueryDto,
  CollectionsResponseDto,
  DeleteDocumentResponseDto,
  DocumentDto,
} from './dto/document.dto';
import { QueryDocumentsDto, QueryDocumentsResponseDto } from './dto/query-documents.dto';
import { UpsertDocumentsDto, UpsertDocumentsResponseDto } from './dto/upsert-documents.dto';

const DOCUMENT_ID = {
  name: 'id',
  description: 'Document id (URL-encoded)',
  example: 'handbook%2Fonboarding',
  schema: { type: 'string' as const, minLength: 1, ...limitedBy('MAX_ID_CHARS') },
};
const NOT_FOUND = { 404: 'The collection (or document) does not exist' };
const TOO_LARGE = { 413: 'A text or the body is over its limit' };

@ApiTags('documents')
@ApiAuth()
@ApiErrors(400, 503, 504)
@Controller('chroma')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post('update')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'upsertDocuments',
    summary: 'Upsert documents',
    description:
      'Chunks, embeds and stores documents. Chunk ids are `<id>#<n>`; re-sending an identical document is a no-op (`unchanged`) and an edited one replaces its chunks.',
  })
  @ApiOkResponse({ type: UpsertDocumentsResponseDto })
  @ApiErrors(TOO_LARGE, NOT_FOUND, 409)
  @RequireRole('write')
  upsert(
    @CurrentUser() user: Principal,
    @Body() body: UpsertDocumentsDto,
    @Deadline() deadline: HandlerDeadline,
  ): Promise<UpsertDocumentsResponseDto> {
    return this.documents.upsert(user, body, deadline);
  }

  @Post('query')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'queryDocuments',
    summary: 'Semantic search with metadata fallback',
    description:
      'Returns the chunks closest to the query. With a filter, tries it as given (`exact`), then with `file_type`/`doctype` spelling variants (`variants`), then without it (`unfiltered`).',
  })
  @ApiOkResponse({ type: QueryDocumentsResponseDto })
  @ApiErrors(TOO_LARGE, NOT_FOUND, 409)
  query(
    @CurrentUser() user: Principal,
    @Body() body: QueryDocumentsDto,
  ): Promise<QueryDocumentsResponseDto> {
    return this.documents.query(user, body);
  }

  @Get('documents/:id')
  @ApiOperation({
    operationId: 'getDocument',
    summary: 'Get a document and its chunks',
    description: 'The stored chunks of the document, in order, with its metadata and title.',
  })
  @ApiParam(DOCUMENT_ID)
  @ApiOkResponse({ type: DocumentDto })
  @ApiErrors(NOT_FOUND, 409)
  get(
    @CurrentUser() user: Principal,
    @Param('id') id: string,
    @Query() query: CollectionQueryDto,
  ): Promise<DocumentDto> {
    return this.documents.getDocument(user, id, query.collection);
  }

  @Delete('documents/:id')
  @ApiOperation({
    operationId: 'deleteDocument',
    summary: 'Delete a document and all its chunks',
    description: 'Removes every chunk stored under the document id; the answer counts them.',
  })
  @ApiParam(DOCUMENT_ID)
  @ApiOkResponse({ type: DeleteDocumentResponseDto })
  @ApiErrors(NOT_FOUND, 409)
  @RequireRole('write')
  delete(
    @CurrentUser() user: Principal,
    @Param('id') id: string,
    @Query() query: CollectionQueryDto,
  ): Promise<DeleteDocumentResponseDto> {
    return this.documents.deleteDocument(user, id, query.collection);
  }

  @Get('collections')
  @ApiOperation({
    operationId: 'listCollections',
    summary: 'List collections with their chunk counts and embedders',
    description:
      'The collections the caller may use, each with the embedder that made its vectors and whether it matches the running one.',
  })
  @ApiOkResponse({ type: CollectionsResponseDto })
  async collections(@CurrentUser() user: Principal): Promise<CollectionsResponseDto> {
    return { collections: await this.documents.listCollections(user) };
  }
}
