import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { limitedBy } from '../../common/api-contract';
import { COLLECTION_NAME_SCHEMA, OPTIONAL_COLLECTION } from '../../common/collection-name';
import { DocumentInputDto } from '../../documents/dto/upsert-documents.dto';
import { JOB_STATES, type JobState } from '../ingest-job';

/** The JSON form of POST /ingest/jobs: documents already in text form. */
export class CreateIngestJobDto {
  @ApiPropertyOptional(OPTIONAL_COLLECTION)
  @IsOptional()
  @IsString()
  collection?: string;

  @ApiPropertyOptional({
    type: [DocumentInputDto],
    description: 'Documents to ingest (at most INGEST_MAX_FILES). Omit when uploading files.',
    minItems: 1,
    ...limitedBy('INGEST_MAX_FILES'),
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => DocumentInputDto)
  documents?: DocumentInputDto[];
}

/** The multipart form of POST /ingest/jobs, for Swagger. */
export const MULTIPART_SCHEMA = {
  type: 'object' as const,
  required: ['files'],
  additionalProperties: false,
  properties: {
    files: {
      type: 'array' as const,
      minItems: 1,
      ...limitedBy('INGEST_MAX_FILES'),
      items: { type: 'string' as const, format: 'binary', ...limitedBy('INGEST_MAX_FILE_BYTES') },
      description:
        'Files (txt, md, html, pdf, docx; at most INGEST_MAX_FILES of INGEST_MAX_FILE_BYTES each). The file name may be a relative path: it becomes the document id (`..` and absolute paths are refused per file).',
    },
    collection: { type: 'string' as const, ...OPTIONAL_COLLECTION },
  },
};

export class IngestCountsDto {
  @ApiProperty({ example: 120 })
  total!: number;

  @ApiProperty({ description: 'Written or found unchanged.', example: 80 })
  done!: number;

  @ApiProperty({ description: 'Of `done`, skipped because already stored as is.', example: 20 })
  unchanged!: number;
}

export class IngestFilesDto {
  @ApiProperty({ example: 12 })
  total!: number;

  @ApiProperty({ example: 1 })
  failed!: number;

  @ApiProperty({
    description: 'Empty files (no bytes or no text): not stored, not failed.',
    example: 0,
  })
  skipped!: number;
}

export class IngestFailureDto {
  @ApiProperty({ example: 'scans/contract.pdf' })
  file!: string;

  @ApiProperty({ example: 'PDF has no text layer' })
  reason!: string;
}

export class IngestJobDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2d1e-8a57-4c1b-9a53-2b7a3f0b9c11' })
  id!: string;

  @ApiProperty({ enum: JOB_STATES })
  state!: JobState;

  @ApiProperty(COLLECTION_NAME_SCHEMA)
  collection!: string;

  @ApiProperty({ description: 'Chunks done of the total, in percent.', example: 66.7 })
  progress!: number;

  @ApiProperty({ type: IngestFilesDto })
  files!: IngestFilesDto;

  @ApiProperty({ type: IngestCountsDto, description: 'Documents (a PDF is one per page).' })
  documents!: IngestCountsDto;

  @ApiProperty({ type: IngestCountsDto })
  chunks!: IngestCountsDto;

  @ApiProperty({ type: [IngestFailureDto], description: 'Files (or documents) not ingested.' })
  failures!: IngestFailureDto[];

  @ApiProperty({
    type: [IngestFailureDto],
    description: 'Files skipped because they hold nothing to index (empty, or no text).',
  })
  skipped!: IngestFailureDto[];

  @ApiPropertyOptional({ description: 'Why the job failed, when it did.' })
  error?: string;

  @ApiProperty({ format: 'date-time', example: '2025-01-01T12:00:00.000Z' })
  created_at!: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2025-01-01T12:00:01.000Z' })
  started_at?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2025-01-01T12:00:09.000Z' })
  finished_at?: string;

  @ApiProperty({ description: 'Since the job started (0 while queued).', example: 8000 })
  elapsed_ms!: number;

  @ApiProperty({ description: 'Chunks done per second of elapsed time.', example: 15 })
  chunks_per_second!: number;
}

/** A page of the caller's jobs, newest first. */
export class IngestJobPageDto {
  @ApiProperty({ type: [IngestJobDto], description: 'Newest first (by creation time).' })
  jobs!: IngestJobDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
    example: 'MTczNTczMjgwMDAwMDo2ZjFjMmQxZS04YTU3LTRjMWItOWE1My0yYjdhM2YwYjljMTE',
  })
  next_cursor!: string | null;
}

/** A cursor encodes a time and a job id in about 70 characters: anything longer is not one. */
const CURSOR_MAX_CHARS = 100;

/** The query of GET /ingest/jobs; documented by LIST_QUERY (the bound is a setting). */
export class ListIngestJobsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_CHARS)
  cursor?: string;
}

/** Swagger parameters of ListIngestJobsQueryDto. */
export const LIST_QUERY = [
  {
    name: 'limit',
    required: false,
    description:
      'Jobs per page: 20 by default (or INGEST_JOBS_PAGE_MAX when lower), at most INGEST_JOBS_PAGE_MAX.',
    schema: {
      type: 'integer' as const,
      format: 'int32',
      minimum: 1,
      default: 20,
      ...limitedBy('INGEST_JOBS_PAGE_MAX'),
    },
  },
  {
    name: 'cursor',
    required: false,
    description: 'The `next_cursor` of the previous page.',
    schema: { type: 'string' as const, maxLength: CURSOR_MAX_CHARS },
  },
];
