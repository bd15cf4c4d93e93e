import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';
import { limitedBy } from '../../common/api-contract';
import { COLLECTION_NAME_SCHEMA, OPTIONAL_COLLECTION } from '../../common/collection-name';
import type { Metadata } from '../../vector-store/vector-store.port';

const METADATA_SCHEMA = {
  type: 'object' as const,
  ...limitedBy('MAX_METADATA_KEYS'),
  additionalProperties: {
    oneOf: [
      { type: 'string', ...limitedBy('MAX_METADATA_VALUE_CHARS') },
      { type: 'number' },
      { type: 'boolean' },
    ],
  },
};

export class DocumentInputDto {
  @ApiProperty({
    description:
      'Stable id of the document (at most MAX_ID_CHARS; not blank, no `#`, control or invisible/bidirectional format characters). Re-sending the same id replaces the document.',
    example: 'handbook/onboarding',
    minLength: 1,
    ...limitedBy('MAX_ID_CHARS'),
  })
  @IsString()
  @IsNotEmpty()
  id!: string;

  @ApiProperty({
    description:
      'Full text of the document: at most MAX_TEXT_BYTES bytes in UTF-8 (`maxLength` is that bound in characters, exact for ASCII).',
    example: '# Onboarding\n\nNew engineers get a laptop on day one.',
    minLength: 1,
    ...limitedBy('MAX_TEXT_BYTES'),
  })
  @IsString()
  @IsNotEmpty()
  text!: string;

  @ApiPropertyOptional({
    description:
      'Flat metadata: string, number or boolean values (at most MAX_METADATA_KEYS keys). `title`, `file_type` and `source` get defaults; `file_type`/`doctype` are normalised (`application/pdf` → `pdf`).',
    example: { title: 'Onboarding', file_type: 'md', team: 'platform' },
    ...METADATA_SCHEMA,
  })
  @IsOptional()
  @IsObject()
  metadata?: Metadata;
}

export class UpsertDocumentsDto {
  @ApiPropertyOptional(OPTIONAL_COLLECTION)
  @IsOptional()
  @IsString()
  collection?: string;

  @ApiPropertyOptional({
    description:
      'Whether this write may create `collection` when it does not exist. Unset: COLLECTIONS_CREATE_ON_WRITE decides. `false` (or the setting off) answers 404 naming a missing collection, so a typo in its name creates nothing.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  create_collection?: boolean;

  @ApiProperty({
    type: [DocumentInputDto],
    description: 'Documents to upsert (at most MAX_DOCUMENTS_PER_REQUEST).',
    minItems: 1,
    ...limitedBy('MAX_DOCUMENTS_PER_REQUEST'),
  })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => DocumentInputDto)
  documents!: DocumentInputDto[];
}

export const UPSERT_STATUSES = ['created', 'updated', 'unchanged'] as const;
export type UpsertStatus = (typeof UPSERT_STATUSES)[number];

export class DocumentUpsertResultDto {
  @ApiProperty({ example: 'handbook/onboarding' })
  id!: string;

  @ApiProperty({ description: 'Number of chunks the document is stored as.', example: 3 })
  chunks!: number;

  @ApiProperty({
    enum: UPSERT_STATUSES,
    description:
      '`unchanged` when the same text and metadata were already stored (nothing re-embedded).',
  })
  status!: UpsertStatus;
}

export class UpsertDocumentsResponseDto {
  @ApiProperty(COLLECTION_NAME_SCHEMA)
  collection!: string;

  @ApiProperty({ type: [DocumentUpsertResultDto] })
  results!: DocumentUpsertResultDto[];
}
