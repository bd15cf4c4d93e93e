import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The JSON body of every error response. */
export class ApiErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request', description: 'HTTP reason phrase' })
  error!: string;

  @ApiProperty({
    example: 'top_k: must not be greater than 100',
    description: 'What went wrong, naming the offending field where there is one',
  })
  message!: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['top_k: must not be greater than 100'],
    description: 'Every problem found, when there are several',
  })
  details?: string[];
}
