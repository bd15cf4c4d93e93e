import { Body, Controller, Logger, Post, Req, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { StrictThrottle } from '../observability/principal-throttler.guard';
import { ApiAuth } from '../auth/api-auth.decorator';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { errorBody } from '../common/all-exceptions.filter';
import { ApiErrors } from '../common/api-errors.decorator';
import { FastChatDto, FastChatResponseDto } from './dto/fast-chat.dto';
import { RagChatConfig } from './rag-chat.config';
import { RagChatService } from './rag-chat.service';
import { SseStream } from './sse';

const SSE_EXAMPLE = [
  'event: sources',
  'data: {"sources":[{"n":1,"document_id":"handbook/onboarding","chunk_id":"handbook/onboarding#0","text":"New engineers get a laptop on day one.","metadata":{},"score":0.71}],"tier":"exact"}',
  '',
  'event: token',
  'data: {"text":"New engineers get a laptop on day one. [1]"}',
  '',
  'event: done',
  'data: {"model":"extractive","usage":{"input_tokens":0,"output_tokens":0}}',
  '',
].join('\n');

@ApiTags('chat')
@ApiAuth()
@ApiExtraModels(FastChatResponseDto)
@Controller()
export class RagChatController {
  private readonly logger = new Logger('RagChat');
  private readonly heartbeatMs: number;

  constructor(
    private readonly chat: RagChatService,
    config: RagChatConfig,
  ) {
    this.heartbeatMs = config.sseHeartbeatMs;
  }

  @Post('fast_chat')
  @StrictThrottle()
  @ApiOperation({
    operationId: 'fastChat',
    summary: 'Answer a question from the collection, citing its sources',
    description:
      'Retrieves chunks as `POST /chroma/query` does, keeps those scoring at least CHAT_MIN_SCORE, and answers from them only, citing `[n]`. Without a kept chunk, or when none holds CHAT_MIN_COVERAGE of the question\'s content words, it answers "I don\'t know" without calling the model. With `stream: true` or `Accept: text/event-stream` the answer streams as server-sent events: `sources`, `token`..., then `done` (model, usage) or `error` (an error body); `: keep-alive` comments every CHAT_SSE_HEARTBEAT_MS. Errors before the stream starts are JSON.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description: 'The answer (JSON), or its event stream',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(FastChatResponseDto) } },
      'text/event-stream': { schema: { type: 'string', example: SSE_EXAMPLE } },
    },
  })
  @ApiErrors(404, 413, 409, {
    400: 'Invalid input; names the field',
    502: 'The language model failed (5xx after retries, a rejected request or a bad answer)',
    503: {
      description: 'The language model, Chroma or the embedder is unreachable',
      message: 'OpenAI chat failed: connect ECONNREFUSED 10.0.0.12:443',
    },
    504: {
      description: 'The language model or Chroma did not answer in time (LLM_TIMEOUT_MS)',
      message: 'OpenAI chat did not answer within 60000 ms',
    },
  })
  async fastChat(
    @CurrentUser() user: Principal,
    @Body() body: FastChatDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // A client that goes away cancels the model call instead of leaving it running.
    const cancel = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) cancel.abort(new Error('the client closed the connection'));
    });
    const prepared = await this.chat.prepare(user, body);
    const stream =
      body.stream ?? req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream';
    if (!stream) {
      try {
        res.status(200).json(await this.chat.answer(prepared, cancel.signal));
      } catch (error) {
        if (!cancel.signal.aborted) throw error;
      }
      return;
    }
    const sse = new SseStream(res, this.heartbeatMs);
    sse.send('sources', { sources: prepared.sources, tier: prepared.tier });
    try {
      for await (const { event, data } of this.chat.stream(prepared, cancel.signal)) {
        sse.send(event, data);
      }
    } catch (error) {
      // The global filter's error body, sent in-band: the stream has started.
      if (!cancel.signal.aborted) sse.send('error', errorBody(error, this.logger));
    } finally {
      sse.end();
    }
  }
}
