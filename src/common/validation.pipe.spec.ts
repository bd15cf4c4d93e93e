import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { createValidationPipe, illFormedUnicodeAt } from './validation.pipe';

class ItemDto {
  @IsString()
  @IsNotEmpty()
  text!: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

class BodyDto {
  @IsString()
  @IsNotEmpty()
  query!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  top_k?: number;

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  documents?: ItemDto[];
}

const BODY: ArgumentMetadata = { type: 'body', metatype: BodyDto, data: '' };

/** The messages the pipe refuses `value` with (none when it passes). */
async function messagesFor(value: unknown): Promise<string[]> {
  try {
    await createValidationPipe().transform(value, BODY);
    return [];
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const { message } = error.getResponse() as { message: string | string[] };
    return Array.isArray(message) ? message : [message];
  }
}

describe('the validation pipe', () => {
  it('accepts a valid body', async () => {
    expect(await messagesFor({ query: 'q', top_k: 3, documents: [{ text: 't' }] })).toEqual([]);
  });

  it.each([
    ['a string top_k', { query: 'q', top_k: '3' }, ['top_k: must be an integer']],
    ['a fractional top_k', { query: 'q', top_k: 2.5 }, ['top_k: must be an integer']],
    ['a negative fractional top_k', { query: 'q', top_k: -1.5 }, ['top_k: must be an integer']],
    ['a top_k below its minimum', { query: 'q', top_k: 0 }, ['top_k: must not be less than 1']],
    ['a missing query', {}, ['query: must be a string']],
    ['an empty query', { query: '' }, ['query: must not be empty']],
    ['a string flag', { query: 'q', stream: 'yes' }, ['stream: must be true or false']],
    ['an unknown field', { query: 'q', qeury: 'x' }, ['qeury: is not an accepted field']],
  ])('says one thing per mistake: %s', async (_name, body, expected) => {
    expect(await messagesFor(body)).toEqual(expected);
  });

  it('names fields inside lists with the bracket notation, one message each', async () => {
    expect(
      await messagesFor({
        query: 'q',
        documents: [{ text: 't' }, { text: 7, metadata: 'tags', extra: 1 }],
      }),
    ).toEqual([
      'documents[1].extra: is not an accepted field',
      'documents[1].text: must be a string',
      'documents[1].metadata: must be an object',
    ]);
  });

  it('reports a list given as something else once', async () => {
    expect(await messagesFor({ query: 'q', documents: 'a' })).toEqual([
      'documents: must be an array',
    ]);
    expect(await messagesFor({ query: 'q', documents: ['a'] })).toEqual([
      'documents[0]: must be an object',
    ]);
  });
});

describe('illFormedUnicodeAt', () => {
  it('accepts well-formed text, surrogate pairs included', () => {
    expect(illFormedUnicodeAt({ a: ['x', '😀', { 'ké😀': 'ü' }], n: 1 }, '')).toBeUndefined();
  });

  it.each([
    [{ documents: [{ id: 'ls\ud800', text: 'x' }] }, { path: 'documents[0].id', key: false }],
    [
      { documents: [{ metadata: { ['k\udc00']: 1 } }] },
      { path: 'documents[0].metadata', key: true },
    ],
    [
      { filter: { $or: [{ a: { $in: ['\ud83d'] } }] } },
      { path: 'filter.$or[0].a.$in[0]', key: false },
    ],
    ['q\ud800', { path: 'query', key: false }],
  ])('names the path of a lone surrogate in %j', (value, expected) => {
    expect(illFormedUnicodeAt(value, typeof value === 'string' ? 'query' : '')).toEqual(expected);
  });
});
