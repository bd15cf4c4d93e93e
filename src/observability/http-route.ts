import type { IncomingMessage } from 'node:http';

/** Label for requests no route matched (404s, body-parser rejections), to bound cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template (`/chroma/documents/:id`), never the raw URL, so metrics and span names
 * stay low-cardinality and carry no ids. Express sets `req.route` once a route matched.
 */
export const routeTemplate = (request: IncomingMessage): string =>
  (request as IncomingMessage & { route?: { path?: unknown } }).route?.path?.toString() ??
  UNMATCHED_ROUTE;
