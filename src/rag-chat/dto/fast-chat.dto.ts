import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';
import { limitedBy } from '../../common/api-contract';
import {
  QUERY_TIERS,
  QueryDocumentsDto,
  type QueryTier,
} from '../../documents/dto/query-documents.dto';
import type { Metadata } from '../../vector-store/vector-store.port';

export const CHAT_ROLES = ['user', 'assistant'] as const;

export class ChatTurnDto {
  @ApiProperty({ enum: CHAT_ROLES, example: 'user' })
  @IsIn(CHAT_ROLES)
  role!: (typeof CHAT_ROLES)[number];

  @ApiProperty({
    description:
      'Bounded only by the request body limit (BODY_LIMIT_BYTES); CHAT_HISTORY_MAX_CHARS decides what the model sees.',
    example: 'Who hands out laptops?',
    ...limitedBy('BODY_LIMIT_BYTES'),
  })
  @IsString()
  content!: string;
}

/** Retrieval takes the same `collection`, `top_k` and `filter` as `POST /chroma/query`. */
export class FastChatDto extends OmitType(QueryDocumentsDto, ['query'] as const) {
  @ApiProperty({
    description: 'The question to answer from the collection (at most MAX_QUERY_CHARS).',
    example: 'When do new engineers get a laptop?',
    minLength: 1,
    ...limitedBy('MAX_QUERY_CHARS'),
  })
  @IsString()
  @IsNotEmpty()
  question!: string;

  @ApiPropertyOptional({
    type: [ChatTurnDto],
    description:
      'Earlier turns, oldest first (at most CHAT_HISTORY_MAX_MESSAGES). The most recent turns that fit CHAT_HISTORY_MAX_CHARS are shown to the model; older ones are dropped.',
    example: [
      { role: 'user', content: 'Who hands out laptops?' },
      { role: 'assistant', content: 'The IT team does [1].' },
    ],
    ...limitedBy('CHAT_HISTORY_MAX_MESSAGES'),
  })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ChatTurnDto)
  history?: ChatTurnDto[];

  @ApiPropertyOptional({
    description:
      'Stream the answer as server-sent events (`sources`, `token`..., `done`, or `error`). `Accept: text/event-stream` does the same; an explicit value wins.',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;
}

export class ChatSourceDto {
  @ApiProperty({ description: 'The number the answer cites as `[n]`.', example: 1 })
  n!: number;

  @ApiProperty({ example: 'handbook/onboarding' })
  document_id!: string;

  @ApiProperty({ example: 'handbook/onboarding#0' })
  chunk_id!: string;

  @ApiProperty({
    description: 'The chunk text as shown to the model (cut at CHAT_CONTEXT_MAX_CHARS).',
    example: '# Onboarding\n\nNew engineers get a laptop on day one.',
  })
  text!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { title: 'Onboarding', file_type: 'md', document_id: 'handbook/onboarding' },
  })
  metadata!: Metadata;

  @ApiProperty({ description: 'Cosine similarity of the chunk to the question.', example: 0.71 })
  score!: number;
}

export class ChatUsageDto {
  @ApiProperty({ example: 812 })
  input_tokens!: number;

  @ApiProperty({ example: 64 })
  output_tokens!: number;
}

export class FastChatResponseDto {
  @ApiProperty({
    description:
      'The answer; `[n]` cites `sources[n-1]`. Citations of numbers that are not sources are removed.',
    example: 'From the retrieved sources:\nNew engineers get a laptop on day one. [1]',
  })
  answer!: string;

  @ApiProperty({ type: [ChatSourceDto] })
  sources!: ChatSourceDto[];

  @ApiProperty({
    description: 'The model that answered; `none` when nothing relevant was retrieved.',
    example: 'extractive',
  })
  model!: string;

  @ApiProperty({ type: ChatUsageDto })
  usage!: ChatUsageDto;

  @ApiProperty({ enum: QUERY_TIERS, description: 'Which filter tier retrieval used.' })
  tier!: QueryTier;
}
