import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { COLLECTION_NAME_SCHEMA } from '../../common/collection-name';
import { EmbedderFingerprintDto } from '../../documents/dto/document.dto';

export class StartReindexDto {
  @ApiPropertyOptional({
    ...COLLECTION_NAME_SCHEMA,
    description: 'Logical collection; DEFAULT_COLLECTION when omitted.',
  })
  @IsOptional()
  @IsString()
  collection?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Rebuild even when the collection already uses the configured embedder (e.g. after changing CHROMA_HNSW_* or to repair an index); without it such a request answers `up_to_date`.',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class RollbackDto {
  @ApiPropertyOptional({
    ...COLLECTION_NAME_SCHEMA,
    description: 'Logical collection to roll back; DEFAULT_COLLECTION when omitted.',
  })
  @IsOptional()
  @IsString()
  collection?: string;
}

export class SearchCheckDto {
  @ApiProperty({ description: 'Sampled chunks asked as queries.', example: 20 })
  probes!: number;

  @ApiProperty({ description: 'Results compared per probe.', example: 10 })
  top_k!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      "Mean share of the serving generation's top documents the rebuilt one also returns (null when the serving one's embedder is not available).",
    example: 0.97,
  })
  overlap!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Probes whose own document the serving generation returns among its top results.',
    example: 20,
  })
  own_document_old!: number | null;

  @ApiProperty({
    description: 'Probes whose own document the rebuilt generation returns among its top results.',
    example: 20,
  })
  own_document_new!: number;

  @ApiProperty({ description: 'REINDEX_PROBE_MIN_AGREEMENT at the time.', example: 0.8 })
  min_agreement!: number;

  @ApiProperty({ description: 'Whether the rebuilt generation was allowed to serve.' })
  passed!: boolean;
}

export const REINDEX_STATES = [
  'building',
  'interrupted',
  'succeeded',
  'failed',
  'rolled_back',
  'up_to_date',
] as const;
export type ReindexState = (typeof REINDEX_STATES)[number];

export class ReindexRunDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Run id (null when nothing had to be done); GET /admin/reindex/{id} follows it.',
    example: '5b0c7a1e-3f7d-4a63-9a38-0f0e5f3f0c41',
  })
  run_id!: string | null;

  @ApiProperty(COLLECTION_NAME_SCHEMA)
  collection!: string;

  @ApiProperty({
    enum: REINDEX_STATES,
    description:
      '`interrupted`: its owner stopped renewing the lease; the next trigger starts it over. `rolled_back`: it succeeded, then a rollback made another generation serve (see `serving`). `up_to_date`: nothing to do (see `message`).',
  })
  state!: ReindexState;

  @ApiPropertyOptional({
    description: 'Why nothing was done, and how to rebuild anyway.',
    example: "'docs' already uses the configured embedder; send force: true to rebuild it anyway",
  })
  message?: string;

  @ApiPropertyOptional({
    description:
      'Physical collection serving the logical one now (after a rollback, not the target).',
    example: 'docs',
  })
  serving?: string;

  @ApiPropertyOptional({ description: 'Physical collection being copied.', example: 'docs' })
  source?: string;

  @ApiPropertyOptional({ description: 'Physical collection being built.', example: 'docs__v1' })
  target?: string;

  @ApiProperty({
    description: 'Fingerprint of the embedder the target is built with (or the active one).',
    example: 'local/glove-sg-100d+idf+title+lex512w0.6-v1/612',
  })
  embedder!: string;

  @ApiProperty({ description: 'Chunks copied so far.', example: 1200 })
  done!: number;

  @ApiProperty({ description: 'Chunks in the source when the copy started.', example: 2000 })
  total!: number;

  @ApiPropertyOptional({ format: 'date-time' })
  started_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  updated_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finished_at?: string;

  @ApiPropertyOptional({ description: 'Why a failed run failed.' })
  error?: string;

  @ApiPropertyOptional({
    type: SearchCheckDto,
    description: 'Probe queries asked of the serving and the rebuilt generation before the switch.',
  })
  search_check?: SearchCheckDto;
}

export class GenerationDto {
  @ApiProperty({ example: 'docs__v1' })
  name!: string;

  @ApiProperty({ example: 1 })
  generation!: number;

  @ApiProperty({ type: EmbedderFingerprintDto })
  embedder!: EmbedderFingerprintDto;
}

export class RollbackResponseDto {
  @ApiProperty(COLLECTION_NAME_SCHEMA)
  collection!: string;

  @ApiProperty({ type: GenerationDto, description: 'The generation now serving.' })
  active!: GenerationDto;

  @ApiProperty({
    type: GenerationDto,
    description: 'The generation rolled back from (roll forward with another rollback).',
  })
  previous!: GenerationDto;
}
