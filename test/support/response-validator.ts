import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv, { type ValidateFunction } from 'ajv';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Paths the app serves outside its OpenAPI document by design: Swagger UI with its assets and
 * documents, and the local issuer's JWKS. (`/metrics` listens on its own port, never this app.)
 */
export const UNDOCUMENTED_PATHS: readonly RegExp[] = [
  /^\/docs(?:-json|-yaml)?(?:\/.*)?$/,
  /^\/auth\/dev\/jwks\.json$/,
];

/** A CORS preflight is answered by the CORS layer from config, for any route: not an operation. */
const isCorsPreflight = (req: Request): boolean =>
  req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;

/** Bodies only checked for their content type: a stream has no single JSON value to validate. */
const STREAMING_TYPES = new Set(['text/event-stream']);

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments win over `{param}` ones when two templates match a path. */
  literals: number;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

/** JSON pointer token escaping (RFC 6901), then URI escaping for the `$ref` fragment. */
const pointer = (tokens: string[]): string =>
  tokens
    .map((token) => encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1')))
    .join('/');

/**
 * OpenAPI 3.0 schema dialect → JSON Schema for ajv: `nullable` becomes a union with null, and
 * objects that list their properties admit no others, so an undocumented field is a violation.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      // Examples are data, not schemas: leave them as written.
      key === 'example' || key === 'examples' ? value : toJsonSchema(value),
    ]),
  );
  const isClosedObject =
    converted.properties !== undefined &&
    converted.additionalProperties === undefined &&
    !('allOf' in converted || 'anyOf' in converted || 'oneOf' in converted);
  const schema = isClosedObject ? { ...converted, additionalProperties: false } : converted;
  return nullable === true ? { anyOf: [schema, { type: 'null' }] } : schema;
}

/** Ajv over one OpenAPI document: `$ref`s resolve inside it, schemas compile once. */
export class OpenApiSchemas {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    formats: { 'date-time': (value: string) => !Number.isNaN(Date.parse(value)) },
  });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenAPIObject) {
    this.ajv.addSchema(toJsonSchema(document) as object, 'openapi.json');
  }

  /** The validator of the schema at `tokens` (a JSON pointer into the document). */
  at(tokens: string[]): ValidateFunction {
    const ref = `openapi.json#/${pointer(tokens)}`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    return validate;
  }

  errorsOf(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }
}

/**
 * Checks every response an app sends against its OpenAPI document: the status must be documented
 * for the operation, the content type among those documented for that status, and a JSON body
 * must match the schema. Requests that match no operation must be answered with the JSON error
 * shape (404 for an unknown route). Violations are collected, and `assertValid` reports them.
 */
export class ResponseValidator {
  private readonly schemas: OpenApiSchemas;
  private readonly operations: Operation[];
  private readonly violations: string[] = [];
  /** How many responses were checked, and of which `operationId status` they were. */
  readonly checked = new Map<string, number>();

  constructor(document: OpenAPIObject) {
    this.schemas = new OpenApiSchemas(document);
    this.operations = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item as Record<string, Operation['responses']>)
        .filter(([, operation]) => typeof operation === 'object' && 'responses' in operation)
        .map(([method, operation]) => ({
          method,
          template,
          pattern: new RegExp(
            `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`,
          ),
          literals: template.split('/').filter((segment) => !segment.startsWith('{')).length,
          responses: (operation as { responses: Operation['responses'] }).responses,
        })),
    );
  }

  /** Express middleware: mount it before any route so it sees every response. */
  readonly middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (UNDOCUMENTED_PATHS.some((exempt) => exempt.test(path)) || isCorsPreflight(req)) {
      return next();
    }
    const chunks: Buffer[] = [];
    const capture = (chunk: unknown, encoding: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (STREAMING_TYPES.has(this.mediaType(res))) return;
      chunks.push(
        Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(
              chunk as string,
              typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
            ),
      );
    };
    const write = res.write;
    const end = res.end;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return Reflect.apply(write, res, [chunk, ...rest]) as boolean;
    }) as Response['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return Reflect.apply(end, res, [chunk, ...rest]) as Response;
    }) as Response['end'];
    res.once('finish', () => this.check(req, res, Buffer.concat(chunks).toString('utf8')));
    next();
  };

  /** Throws listing every violation seen so far (once: the list is emptied). */
  assertValid(): void {
    const found = this.violations.splice(0);
    if (found.length > 0) {
      throw new Error(
        `${found.length} response(s) do not match the OpenAPI document:\n${found.join('\n')}`,
      );
    }
  }

  private mediaType(res: Response): string {
    const header = res.getHeader('content-type');
    return String(header ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
  }

  private check(req: Request, res: Response, body: string): void {
    const where = `${req.method} ${req.originalUrl} → ${res.statusCode}`;
    const method = req.method.toLowerCase();
    const operation = this.operations
      .filter((candidate) => candidate.method === method && candidate.pattern.test(req.path))
      .sort((a, b) => b.literals - a.literals)[0];
    if (!operation) {
      // Nest answers routes it does not have through the global filter: the JSON error shape.
      if (res.statusCode !== 404) this.violations.push(`${where}: no operation for this route`);
      else {
        const errorSchema = this.schemas.at(['components', 'schemas', 'ApiErrorDto']);
        this.validateBody(where, errorSchema, 'application/json', body);
      }
      return;
    }
    const status = String(res.statusCode);
    const response = operation.responses[status] ?? operation.responses.default;
    const operationKey = `${method} ${operation.template} ${status}`;
    this.checked.set(operationKey, (this.checked.get(operationKey) ?? 0) + 1);
    if (!response) {
      this.violations.push(`${where}: status ${status} is not documented`);
      return;
    }
    const mediaType = this.mediaType(res);
    if (!response.content) {
      if (body.length > 0) this.violations.push(`${where}: documented without a body`);
      return;
    }
    if (!(mediaType in response.content)) {
      this.violations.push(
        `${where}: content type '${mediaType}' is not documented (${Object.keys(response.content).join(', ')})`,
      );
      return;
    }
    if (STREAMING_TYPES.has(mediaType) || req.method === 'HEAD') return;
    const tokens = [
      'paths',
      operation.template,
      method,
      'responses',
      response === operation.responses[status] ? status : 'default',
      'content',
      mediaType,
      'schema',
    ];
    this.validateBody(where, this.schemas.at(tokens), mediaType, body);
  }

  private validateBody(
    where: string,
    validate: ValidateFunction,
    mediaType: string,
    body: string,
  ): void {
    let value: unknown = body;
    if (/^application\/(.+\+)?json$/.test(mediaType)) {
      try {
        value = JSON.parse(body);
      } catch {
        this.violations.push(`${where}: body is not JSON: ${body.slice(0, 200)}`);
        return;
      }
    }
    if (!validate(value)) {
      this.violations.push(
        `${where}: ${this.schemas.errorsOf(validate)} in ${JSON.stringify(value).slice(0, 300)}`,
      );
    }
  }
}
