import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { lintOpenApi, RULESET_PATH } from '../scripts/lint-openapi';
import { generateOpenApi, serializeOpenApi } from '../scripts/openapi';

const errorsOf = (document: OpenAPIObject) =>
  lintOpenApi(serializeOpenApi(document))
    .filter((problem) => problem.severity === 0)
    .map(({ code, path }) => `${code} ${path.join('.')}`);

type Operation = { responses: Record<string, { headers?: object }> };

describe('the OpenAPI document under Spectral (spectral:oas and the OWASP ruleset)', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await generateOpenApi();
  });

  it('has no errors', () => {
    expect(errorsOf(document)).toEqual([]);
  });

  it("keeps the ruleset's exceptions pointing at routes that exist", () => {
    const exempted = [
      ...readFileSync(RULESET_PATH, 'utf8').matchAll(/openapi\.json#\/paths\/(\S+?)['"]/g),
    ];
    expect(exempted.length).toBeGreaterThan(0);
    for (const [, pointer] of exempted) {
      const path = pointer.replace(/~1/g, '/').replace(/~0/g, '~');
      expect([path, document.paths[path] !== undefined]).toEqual([path, true]);
    }
  });

  it('still fails a request field without its bound, or an answer without rate-limit headers', () => {
    const broken = structuredClone(document);
    const schemas = broken.components?.schemas as Record<
      string,
      { properties: Record<string, Record<string, unknown>> }
    >;
    delete schemas.QueryDocumentsDto.properties.query.maxLength;
    delete schemas.UpsertDocumentsDto.properties.documents.maxItems;
    delete (broken.paths['/chroma/query'].post as Operation).responses['200'].headers;
    expect(errorsOf(broken)).toEqual([
      'request-string-limit components.schemas.QueryDocumentsDto.properties.query',
      'request-array-limit components.schemas.UpsertDocumentsDto.properties.documents',
      'rate-limit-headers paths./chroma/query.post.responses.200',
    ]);
  });
});
