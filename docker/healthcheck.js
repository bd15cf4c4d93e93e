/* global fetch, AbortSignal -- Node globals the shared CommonJS lint config does not list */
// Container liveness probe shared by the Dockerfile HEALTHCHECK and the Copilot task definition:
// the slim runtime image has no curl, and node's fetch is enough.
const port = process.env.PORT || '3000';
fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
