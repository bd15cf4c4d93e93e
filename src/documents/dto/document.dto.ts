import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { COLLECTION_NAME_SCHEMA, OPTIONAL_COLLECTION } from '../../common/collection-name';
import type { Metadata } from '../../vector-store/vector-store.port';
import type { EmbedderFingerprint } from '../../embeddings/embedder.port';

export class CollectionQueryDto {
  @ApiPropertyOptional(OPTIONAL_COLLECTION)
  @IsOptional()
  @IsString()
  collection?: string;
}

export class DocumentChunkDto {
  @ApiProperty({ example: 'handbook/onboarding#0' })
  id!: string;

  @ApiProperty({ example: 0 })
  index!: number;

  @ApiProperty({ example: '# Onboarding\n\nNew engineers get a laptop on day one.' })
  text!: string;
}

export class DocumentDto {
  @ApiProperty({ example: 'handbook/onboarding' })
  id!: string;

  @ApiProperty(COLLECTION_NAME_SCHEMA)
  collection!: string;

  @ApiProperty({ example: 'Onboarding' })
  title!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { title: 'Onboarding', file_type: 'md' },
  })
  metadata!: Metadata;

  @ApiProperty({ type: [DocumentChunkDto] })
  chunks!: DocumentChunkDto[];
}

export class DeleteDocumentResponseDto {
  @ApiProperty({ example: 'handbook/onboarding' })
  id!: string;

  @ApiProperty(COLLECTION_NAME_SCHEMA)
  collection!: string;

  @ApiProperty({ example: 3 })
  deleted_chunks!: number;
}

export class EmbedderFingerprintDto implements EmbedderFingerprint {
  @ApiProperty({ example: 'local' })
  provider!: string;

  @ApiProperty({ example: 'glove-sg-100d+lex-v1' })
  model!: string;

  @ApiProperty({ example: 356 })
  dimension!: number;
}

export class VectorIndexDto {
  @ApiProperty({ description: 'Distance the index ranks by.', example: 'cosine' })
  space!: string;

  @ApiPropertyOptional({
    description: 'HNSW build breadth (CHROMA_HNSW_EF_CONSTRUCTION).',
    example: 100,
  })
  ef_construction?: number;

  @ApiPropertyOptional({
    description: 'HNSW search breadth (CHROMA_HNSW_EF_SEARCH).',
    example: 200,
  })
  ef_search?: number;

  @ApiPropertyOptional({
    description: 'HNSW links per node (CHROMA_HNSW_MAX_NEIGHBORS).',
    example: 16,
  })
  max_neighbors?: number;
}

export class CollectionDto {
  @ApiProperty(COLLECTION_NAME_SCHEMA)
  name!: string;

  @ApiProperty({ description: 'Number of stored chunks.', example: 1520 })
  count!: number;

  @ApiProperty({
    type: EmbedderFingerprintDto,
    nullable: true,
    description: 'Embedder that made the stored vectors.',
  })
  embedder!: EmbedderFingerprintDto | null;

  @ApiProperty({ description: 'Whether the running embedder matches the stored vectors.' })
  compatible!: boolean;

  @ApiPropertyOptional({
    description:
      'Physical Chroma collection serving this logical one (`<name>__v<n>` after a re-index).',
    example: 'docs__v2',
  })
  active_collection?: string;

  @ApiPropertyOptional({
    description: 'Generation of the active collection: 0 before the first re-index.',
    example: 2,
  })
  generation?: number;

  @ApiPropertyOptional({
    type: VectorIndexDto,
    description:
      "The active collection's approximate-search index, as the vector store reports it.",
  })
  index?: VectorIndexDto;
}

export class CollectionsResponseDto {
  @ApiProperty({ type: [CollectionDto] })
  collections!: CollectionDto[];
}
