import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Min } from 'class-validator';
import { limitedBy } from '../../common/api-contract';
import { OPTIONAL_COLLECTION } from '../../common/collection-name';
import type { Metadata } from '../../vector-store/vector-store.port';

export const QUERY_TIERS = ['exact', 'variants', 'unfiltered'] as const;
export type QueryTier = (typeof QUERY_TIERS)[number];

export class QueryDocumentsDto {
  @ApiProperty({
    description: 'Question or search text (at most MAX_QUERY_CHARS).',
    example: 'When do new engineers get a laptop?',
    minLength: 1,
    ...limitedBy('MAX_QUERY_CHARS'),
  })
  @IsString()
  @IsNotEmpty()
  query!: string;

  @ApiPropertyOptional(OPTIONAL_COLLECTION)
  @IsOptional()
  @IsString()
  collection?: string;

  @ApiPropertyOptional({
    description: 'How many chunks to return (1 to MAX_TOP_K, default DEFAULT_TOP_K).',
    example: 5,
    minimum: 1,
    ...limitedBy('MAX_TOP_K'),
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  top_k?: number;

  @ApiPropertyOptional({
    description:
      "Metadata filter in Chroma's dialect: `{field: value}`, `{field: {$eq|$ne|$gt|$gte|$lt|$lte|$in|$nin: value}}`, `$and`/`$or` lists. When nothing matches, the query falls back to `file_type`/`doctype` variants, then to no filter; `tier` says which answered.",
    example: { file_type: 'pdf' },
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

export class QueryResultDto {
  @ApiProperty({
    description: 'Chunk id: `<document id>#<chunk index>`.',
    example: 'handbook/onboarding#0',
  })
  id!: string;

  @ApiProperty({ example: 'handbook/onboarding' })
  document_id!: string;

  @ApiProperty({ example: '# Onboarding\n\nNew engineers get a laptop on day one.' })
  text!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: {
      title: 'Onboarding',
      file_type: 'md',
      chunk_index: 0,
      document_id: 'handbook/onboarding',
    },
  })
  metadata!: Metadata;

  @ApiProperty({
    description:
      "Relevance the results are ordered by (non-increasing, 4 decimals): with the rerank on (RERANK_CANDIDATES > 0), the vector similarity fused with a lexical (BM25) score, in [0, 1] and relative to this query's candidates (the best candidate scores about 1); with it off, `similarity`.",
    example: 0.97,
  })
  score!: number;

  @ApiProperty({
    description:
      'Cosine similarity of the chunk to the query, 4 decimals (higher is closer); comparable across queries, unlike `score`.',
    example: 0.83,
  })
  similarity!: number;
}

export class QueryDocumentsResponseDto {
  @ApiProperty({ type: [QueryResultDto] })
  results!: QueryResultDto[];

  @ApiProperty({
    enum: QUERY_TIERS,
    description:
      'Which filter tier answered: the filter as given, its file-type variants, or no filter.',
  })
  tier!: QueryTier;
}
