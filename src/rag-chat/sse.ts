import type { Response } from 'express';

/**
 * A server-sent-events response: headers that stop proxies from buffering, one write (and
 * flush) per event, and a comment line every `heartbeatMs` so idle proxies keep it open.
 */
export class SseStream {
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: Response,
    heartbeatMs: number,
  ) {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs);
    res.once('close', () => clearInterval(this.heartbeat));
  }

  /** JSON data never contains a raw newline, so it always fits one `data:` line. */
  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }

  private write(chunk: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.res.write(chunk);
    // Present when a compression middleware wraps the response; it would buffer otherwise.
    (this.res as Response & { flush?: () => void }).flush?.();
  }
}
