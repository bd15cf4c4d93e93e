/** One check of a deployed API: a name, whether it passed, and what was seen. */
export interface SmokeResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SmokeOptions {
  baseUrl: string;
  /** Bearer token with at least the read scope on `collection`. */
  token: string;
  collection: string;
  query: string;
  timeoutMs: number;
}

interface Reply {
  status: number;
  body: string;
}

const BODY_EXCERPT_CHARS = 200;

const excerpt = (body: string): string =>
  body.length > BODY_EXCERPT_CHARS ? `${body.slice(0, BODY_EXCERPT_CHARS)}…` : body;

/** The body as a JSON object, or undefined when it is not one (a proxy's HTML error page). */
const jsonOf = (reply: Reply): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(reply.body);
    return parsed !== null && typeof parsed === 'object'
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** The `message` of the API's JSON errors, else the start of the body. */
const reason = (reply: Reply): string => {
  const message = jsonOf(reply)?.message;
  return `${reply.status} ${typeof message === 'string' ? message : excerpt(reply.body)}`;
};

/** Runs the checks in order; a check that cannot connect fails without stopping the others. */
export async function runSmokeChecks(options: SmokeOptions): Promise<SmokeResult[]> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = async (path: string, init: RequestInit = {}): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  };
  const post = (path: string, body: unknown): Promise<Reply> =>
    send(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const checks: [string, () => Promise<string>][] = [
    [
      'GET /health',
      async () => {
        const reply = await send('/health');
        if (reply.status !== 200 || jsonOf(reply)?.status !== 'ok') throw new Error(reason(reply));
        return 'ready (chroma and embedder up)';
      },
    ],
    [
      'POST /chroma/query',
      async () => {
        const reply = await post('/chroma/query', {
          collection: options.collection,
          query: options.query,
          top_k: 3,
        });
        if (reply.status !== 200) throw new Error(reason(reply));
        const { results, tier } = jsonOf(reply) ?? {};
        if (!Array.isArray(results) || results.length === 0) {
          throw new Error(`no results in collection ${options.collection}`);
        }
        return `${results.length} result(s), tier ${String(tier)}`;
      },
    ],
    [
      'POST /fast_chat',
      async () => {
        const reply = await post('/fast_chat', {
          collection: options.collection,
          question: options.query,
          stream: false,
        });
        if (reply.status === 404 && reason(reply).includes('Cannot POST')) {
          throw new Error('404: this deployment has no /fast_chat route');
        }
        if (reply.status !== 200) throw new Error(reason(reply));
        const { answer, sources } = jsonOf(reply) ?? {};
        if (typeof answer !== 'string' || answer.trim() === '') throw new Error('empty answer');
        return `answer of ${answer.length} chars citing ${Array.isArray(sources) ? sources.length : 0} source(s)`;
      },
    ],
  ];

  const results: SmokeResult[] = [];
  for (const [name, check] of checks) {
    try {
      results.push({ name, ok: true, detail: await check() });
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      const detail = cause?.message
        ? `${(error as Error).message}: ${cause.message}`
        : (error as Error).message;
      results.push({ name, ok: false, detail });
    }
  }
  return results;
}
