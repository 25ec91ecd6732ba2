// Closed-loop load generator on undici (the HTTP client under Node 22's fetch, used here directly
// through a keep-alive Pool for lower client overhead). Runs in its own worker thread so the
// client never shares an event loop with the fake upstream or with wrangler/Miniflare's Node side.
//
// A job sends `warmup` requests (not measured), then keeps `concurrency` requests in flight until
// `maxRequests` have completed or `maxMs` has passed (whichever first: every loop is bounded).
// Non-streaming: latency per request (send → last body byte). Streaming: TTFB (send → first body
// chunk), time to first token (send → the chunk carrying job.firstToken, when given) and full-stream
// time (send → end of body). With `cpuPids`, the CPU those processes spent during the measured part
// (after the warm-up) comes back as `cpuNs`, next to `requests` (every request sent in that part).
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import { cpuNsOf } from './proc-cpu.mjs';

const quantile = (sorted, q) => {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
};
const summarize = (values) => {
  const sorted = Float64Array.from(values).sort();
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), n: sorted.length };
};

const pools = new Map();
const poolFor = (origin, connections) => {
  const id = `${origin}|${connections}`;
  let pool = pools.get(id);
  if (pool === undefined) {
    pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
    pools.set(id, pool);
  }
  return pool;
};

// `validate` (warm-up only): keep the whole body and require every string of job.expect in it.
const once = async (pool, job, validate = false) => {
  const t0 = performance.now();
  const { statusCode, body } = await pool.request({ path: job.path, method: 'POST', headers: job.headers, body: job.body });
  let ttfb = NaN;
  let ttft = NaN;
  let bytes = 0;
  let tail = '';
  const kept = [];
  for await (const chunk of body) {
    if (bytes === 0) ttfb = performance.now() - t0;
    bytes += chunk.length;
    if (validate) kept.push(chunk);
    if (job.firstToken && Number.isNaN(ttft)) {
      // The marker may straddle two chunks: keep just enough of the previous one.
      const seen = tail + chunk.toString('latin1');
      if (seen.includes(job.firstToken)) ttft = performance.now() - t0;
      else tail = seen.slice(-job.firstToken.length);
    }
  }
  const total = performance.now() - t0;
  const text = validate ? Buffer.concat(kept).toString('utf8') : '';
  const ok = statusCode === 200 && bytes > 0 && (!validate || (job.expect ?? []).every((needle) => text.includes(needle)));
  return { ok, statusCode, ttfb, ttft, total, tail: text.slice(-300) };
};

export const runJob = async (job) => {
  const pool = poolFor(job.origin, job.concurrency);
  const errors = [];
  const noteError = (result, error) => {
    if (errors.length < 3) errors.push(error ? String(error?.message ?? error) : `status ${result.statusCode}: …${result.tail.slice(-160)}`);
  };
  // Warm-up: opens the connections and warms the JITs on both sides.
  const warm = Math.max(job.warmup ?? 0, job.concurrency);
  let warmed = 0;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (warmed < warm) {
        warmed++;
        try {
          const r = await once(pool, job, true);
          if (!r.ok) noteError(r);
        } catch (error) {
          noteError(undefined, error);
        }
      }
    }),
  );
  if (errors.length > 0 && job.failFast !== false) return { error: errors.join(' | '), ok: 0, failed: warm };

  const ttfbs = [];
  const ttfts = [];
  const totals = [];
  let started = 0;
  let failed = 0;
  const cpuNow = () => (job.cpuPids ?? []).reduce((sum, pid) => sum + (cpuNsOf(pid) ?? NaN), 0);
  const cpu0 = cpuNow();
  const t0 = performance.now();
  const deadline = t0 + job.maxMs;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (started < job.maxRequests && performance.now() < deadline) {
        started++;
        try {
          const r = await once(pool, job);
          if (!r.ok) {
            failed++;
            noteError(r);
            continue;
          }
          ttfbs.push(r.ttfb);
          if (!Number.isNaN(r.ttft)) ttfts.push(r.ttft);
          totals.push(r.total);
        } catch (error) {
          failed++;
          noteError(undefined, error);
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const cpuNs = job.cpuPids === undefined ? undefined : cpuNow() - cpu0;
  return {
    ok: totals.length,
    failed,
    requests: started,
    cpuNs,
    elapsedMs: elapsed,
    rps: (totals.length / elapsed) * 1000,
    latency: summarize(totals),
    ttfb: summarize(ttfbs),
    ttft: summarize(ttfts),
    error: errors.length > 0 ? errors.join(' | ') : undefined,
  };
};

const closeAll = async () => {
  await Promise.all([...pools.values()].map((pool) => pool.close().catch(() => {})));
  pools.clear();
};

/** A load-generator thread: `run(job)` resolves the job's result; `close()` ends the thread. */
export const startLoadThread = () => {
  const worker = new Worker(new URL(import.meta.url), { workerData: { load: true } });
  let seq = 0;
  const waiting = new Map();
  worker.on('message', (message) => {
    const settle = waiting.get(message.id);
    waiting.delete(message.id);
    settle?.(message.result);
  });
  worker.on('error', (error) => {
    for (const settle of waiting.values()) settle({ error: String(error), ok: 0, failed: 0 });
    waiting.clear();
  });
  return {
    run: (job) =>
      new Promise((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve);
        worker.postMessage({ id, job });
      }),
    close: async () => {
      worker.postMessage({ close: true });
      await new Promise((done) => worker.once('exit', done));
    },
  };
};

if (!isMainThread) {
  const { workerData } = await import('node:worker_threads');
  if (workerData?.load) {
    parentPort.on('message', async (message) => {
      if (message.close) {
        await closeAll();
        process.exit(0);
      }
      let result;
      try {
        result = await runJob(message.job);
      } catch (error) {
        result = { error: String(error?.stack ?? error), ok: 0, failed: 0 };
      }
      parentPort.postMessage({ id: message.id, result });
    });
  }
}
