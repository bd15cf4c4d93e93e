import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth } from '../auth/api-auth.decorator';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiBodyByMediaType, schemaRef, UUID_SCHEMA } from '../common/api-contract';
import { ApiErrors } from '../common/api-errors.decorator';
import { Deadline, HandlerDeadline } from '../observability/handler-deadline';
import { StrictThrottle } from '../observability/principal-throttler.guard';
import {
  CreateIngestJobDto,
  IngestJobDto,
  IngestJobPageDto,
  LIST_QUERY,
  ListIngestJobsQueryDto,
  MULTIPART_SCHEMA,
} from './dto/ingest-job.dto';
import { IngestJobsService } from './ingest-jobs.service';
import { UploadLimitsInterceptor } from './upload-limits.interceptor';

/** The parts of a multer memory-storage file this module reads. */
interface MulterFile {
  originalname: string;
  mimetype: string;
  buffer: Buffer;
}

const JOB_ID = {
  name: 'id',
  description: 'Job id, as returned by createIngestJob',
  schema: UUID_SCHEMA,
};
const NOT_FOUND_JOB = {
  404: {
    description: 'No such job, or not yours',
    message: "ingest job '6f1c2d1e-8a57-4c1b-9a53-2b7a3f0b9c11' was not found",
  },
};

@ApiTags('ingest')
@ApiAuth()
@ApiErrors(400, 504, { 503: 'Chroma is unreachable' })
@ApiExtraModels(CreateIngestJobDto)
@Controller('ingest/jobs')
export class IngestController {
  constructor(private readonly ingest: IngestJobsService) {}

  @Post()
  @HttpCode(202)
  @RequireRole('write')
  @StrictThrottle()
  @UseInterceptors(UploadLimitsInterceptor, FilesInterceptor('files'))
  @ApiOperation({
    operationId: 'createIngestJob',
    summary: 'Start an ingest job from uploaded files or JSON documents',
    description:
      'Multipart `files` (txt, md, html, pdf, docx; detected by content, extension and MIME type) or a JSON body `{collection, documents}`. Text is extracted at once (a PDF becomes one document per page, with `page` metadata); files that cannot be read are reported in `failures` without stopping the job. The job then chunks, embeds and upserts in the background, idempotently: unchanged documents are skipped. Poll getIngestJob for progress.',
  })
  @ApiBodyByMediaType({
    'multipart/form-data': MULTIPART_SCHEMA,
    'application/json': schemaRef(CreateIngestJobDto),
  })
  @ApiAcceptedResponse({ type: IngestJobDto, description: 'Accepted: the job is queued' })
  @ApiErrors({
    404: 'The collection is not yours to write',
    413: {
      description:
        'A file, the file count or the request is over INGEST_MAX_FILE_BYTES, INGEST_MAX_FILES or INGEST_MAX_REQUEST_BYTES',
      message: 'files: a file is larger than 20000000 bytes (INGEST_MAX_FILE_BYTES)',
    },
    429: {
      description:
        'INGEST_MAX_JOBS_PER_USER jobs already queued or running, or the strict rate limit; see Retry-After',
      message: 'at most 4 ingest jobs may be queued or running per user (INGEST_MAX_JOBS_PER_USER)',
    },
  })
  create(
    @CurrentUser() user: Principal,
    @Body() body: CreateIngestJobDto,
    @UploadedFiles() files: MulterFile[] | undefined,
    @Deadline() deadline: HandlerDeadline,
  ): Promise<IngestJobDto> {
    return this.ingest.create(user, deadline, {
      collection: body.collection,
      documents: body.documents,
      files: files?.length
        ? files.map((file) => ({
            name: file.originalname,
            mime: file.mimetype,
            bytes: file.buffer,
          }))
        : undefined,
    });
  }

  @Get()
  @ApiOperation({
    operationId: 'listIngestJobs',
    summary: "The caller's own ingest jobs, newest first, a page at a time",
    description:
      'Only jobs the caller started, for admins too (an admin reads any job by id). Jobs are kept for INGEST_JOB_RETENTION_MS after they finish. Follow `next_cursor` until it is null.',
  })
  @ApiQuery(LIST_QUERY[0])
  @ApiQuery(LIST_QUERY[1])
  @ApiOkResponse({ type: IngestJobPageDto })
  list(
    @CurrentUser() user: Principal,
    @Query() query: ListIngestJobsQueryDto,
  ): Promise<IngestJobPageDto> {
    return this.ingest.list(user, query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getIngestJob',
    summary: 'State, counts, progress and timings of an ingest job',
    description: 'Poll it until the state is final (`succeeded`, `failed` or `cancelled`).',
  })
  @ApiParam(JOB_ID)
  @ApiOkResponse({ type: IngestJobDto })
  @ApiErrors(NOT_FOUND_JOB)
  get(
    @CurrentUser() user: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<IngestJobDto> {
    return this.ingest.get(user, id);
  }

  @Delete(':id')
  @RequireRole('write')
  @ApiOperation({
    operationId: 'cancelIngestJob',
    summary: 'Cancel an ingest job',
    description:
      'A queued job is cancelled at once; a running one stops after its in-flight batches (its state turns `cancelled` shortly after). Chunks already written stay.',
  })
  @ApiParam(JOB_ID)
  @ApiOkResponse({ type: IngestJobDto, description: 'The job as it stands after the request' })
  @ApiErrors(NOT_FOUND_JOB, {
    409: {
      description: 'The job has already finished',
      message: "ingest job '6f1c2d1e-8a57-4c1b-9a53-2b7a3f0b9c11' already succeeded",
    },
  })
  cancel(
    @CurrentUser() user: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<IngestJobDto> {
    return this.ingest.cancel(user, id);
  }
}
