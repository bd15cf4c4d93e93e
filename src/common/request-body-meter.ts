import type { Request, Response } from 'express';
import { sendError } from './all-exceptions.filter';
import { DomainError } from './domain-errors';

/** Body bytes held in memory at once across requests, taken as they arrive and given back when answered. */
export class ByteBudget {
  private held = 0;

  constructor(readonly totalBytes: number) {}

  get heldBytes(): number {
    return this.held;
  }

  tryTake(bytes: number): boolean {
    if (this.held + bytes > this.totalBytes) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }
}

export interface BodyLimits {
  /** Most bytes one body may have, declared or counted, and the setting the 413 names. */
  maxBytes: number;
  setting: string;
  /** Shared with other requests until this one is answered; spent: 503 naming `budgetSetting`. */
  budget?: ByteBudget;
  budgetSetting?: string;
}

/**
 * Counts a request body's bytes as they arrive, so a chunked body is bounded like one that
 * declares its Content-Length. Past a limit it answers at once (413, or 503 + Retry-After when
 * the shared budget is spent) with `Connection: close`, stops reading, and calls `onRefused`
 * so the body's reader gives up. Attach it before anything reads the body.
 */
export function meterRequestBody(
  request: Request,
  response: Response,
  limits: BodyLimits,
  onRefused: (error: DomainError) => void = () => undefined,
): { readonly refused: boolean } {
  const state = { refused: false };
  let counted = 0;
  let taken = 0;
  const refuse = (error: DomainError): void => {
    state.refused = true;
    request.removeListener('data', count);
    request.pause();
    sendError(response, error);
    onRefused(error);
  };
  const tooLarge = () =>
    new DomainError(
      'payload_too_large',
      `request body is larger than ${limits.maxBytes} bytes (${limits.setting})`,
    );
  function count(chunk: Buffer): void {
    counted += chunk.length;
    if (counted > limits.maxBytes) return refuse(tooLarge());
    if (!limits.budget) return;
    if (!limits.budget.tryTake(chunk.length)) {
      return refuse(
        new DomainError(
          'unavailable',
          `uploads in progress hold ${limits.budget.totalBytes} bytes (${limits.budgetSetting}); retry later`,
        ),
      );
    }
    taken += chunk.length;
  }
  response.once('close', () => limits.budget?.release(taken));
  if (Number(request.headers['content-length']) > limits.maxBytes) {
    refuse(tooLarge());
  } else {
    // Prepended, and not `on`: it only watches; whoever reads the body sets the pace.
    request.prependListener('data', count);
  }
  return state;
}
