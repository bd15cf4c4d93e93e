import { NotFoundError, VectorStoreUnavailableError } from '../common/domain-errors';
import { AppMetrics } from './app-metrics';
import { TelemetryRecorder } from './telemetry.recorder';

describe('TelemetryRecorder', () => {
  const setup = () => {
    const metrics = new AppMetrics();
    return { metrics, recorder: new TelemetryRecorder(metrics) };
  };
  const exposition = (metrics: AppMetrics) => metrics.registry.metrics();

  it('times Chroma calls by operation and counts failures by error class', async () => {
    const { metrics, recorder } = setup();
    await expect(
      recorder.chromaCall({ operation: 'query', collection: 'docs' }, () => Promise.resolve(3)),
    ).resolves.toBe(3);
    await expect(
      recorder.chromaCall({ operation: 'get' }, () =>
        Promise.reject(new VectorStoreUnavailableError()),
      ),
    ).rejects.toThrow(VectorStoreUnavailableError);
    const text = await exposition(metrics);
    expect(text).toContain('rag_chroma_duration_seconds_count{operation="query",outcome="ok"} 1');
    expect(text).toContain('rag_chroma_duration_seconds_count{operation="get",outcome="error"} 1');
    expect(text).toContain(
      'rag_chroma_errors_total{operation="get",error="VectorStoreUnavailableError"} 1',
    );
  });

  it('records a lookup of something absent as not_found, not as an error', async () => {
    const { metrics, recorder } = setup();
    await expect(
      recorder.chromaCall({ operation: 'describe_collection' }, () =>
        Promise.reject(new NotFoundError('collection', 'docs')),
      ),
    ).rejects.toThrow(NotFoundError);
    const text = await exposition(metrics);
    expect(text).toContain(
      'rag_chroma_duration_seconds_count{operation="describe_collection",outcome="not_found"} 1',
    );
    expect(text).not.toContain('rag_chroma_errors_total{');
  });

  it('counts ingest files and chunks, re-index runs and query tiers, each from 0', async () => {
    const { metrics, recorder } = setup();
    expect(await exposition(metrics)).toContain('rag_reindex_runs_total{outcome="failed"} 0');
    recorder.ingestFiles('accepted', 3);
    recorder.ingestFiles('rejected', 1);
    recorder.ingestFiles('skipped', 2);
    recorder.ingestChunks('written', 12);
    recorder.ingestChunks('unchanged', 4);
    recorder.reindexRun('succeeded');
    recorder.queryTier('variants');
    const text = await exposition(metrics);
    expect(text).toContain('rag_ingest_files_total{outcome="accepted"} 3');
    expect(text).toContain('rag_ingest_files_total{outcome="rejected"} 1');
    expect(text).toContain('rag_ingest_files_total{outcome="skipped"} 2');
    expect(text).toContain('rag_ingest_chunks_total{outcome="written"} 12');
    expect(text).toContain('rag_ingest_chunks_total{outcome="unchanged"} 4');
    expect(text).toContain('rag_reindex_runs_total{outcome="succeeded"} 1');
    expect(text).toContain('rag_query_tier_total{tier="variants"} 1');
  });

  it('records embedding latency and batch sizes', async () => {
    const { metrics, recorder } = setup();
    await recorder.embedding('documents', 16, () => Promise.resolve([]));
    const text = await exposition(metrics);
    expect(text).toContain('rag_embedding_duration_seconds_count{kind="documents",outcome="ok"} 1');
    expect(text).toContain('rag_embedding_batch_size_texts_sum{kind="documents"} 16');
  });

  it('records LLM latency and the tokens the call reports', async () => {
    const { metrics, recorder } = setup();
    const answer = await recorder.llmCall('gpt-test', (scope) => {
      scope.recordUsage({ promptTokens: 120, completionTokens: 30 });
      return Promise.resolve('answer');
    });
    expect(answer).toBe('answer');
    const text = await exposition(metrics);
    expect(text).toContain('rag_llm_duration_seconds_count{model="gpt-test",outcome="ok"} 1');
    expect(text).toContain('rag_llm_tokens_total{model="gpt-test",type="prompt"} 120');
    expect(text).toContain('rag_llm_tokens_total{model="gpt-test",type="completion"} 30');
  });

  it('only traces when metrics are off', async () => {
    const recorder = new TelemetryRecorder(null);
    recorder.queryTier('exact');
    await expect(recorder.embedding('query', 1, () => Promise.resolve('v'))).resolves.toBe('v');
    await expect(recorder.llmCall('m', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
  });
});
