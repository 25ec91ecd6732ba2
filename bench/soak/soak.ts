import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestHarness } from 'wrangler';
import { type FaultKind, SOAK_UPSTREAM_KEY, startUpstream } from './flaky-upstream.ts';
import { relayMemory, type RelayMemory } from './workerd-memory.ts';

/**
 * Soak test: the relay (wrangler's test harness, real local bindings) under mixed-format load for a
 * bounded time, against a flaky upstream (priority 0, one provider per wire format) backed by a steady
 * one (priority 1), all on 127.0.0.1. Reports requests served, errors by kind, and the relay's RSS at
 * start and end. SOAK_DURATION_S (default 60, at most 600), SOAK_CONCURRENCY (default 8),
 * SOAK_FAULT_RATE (default 0.3, 0 = a steady upstream), SOAK_CANCEL_EVERY (default 10), SOAK_SEED.
 */
const FORMATS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const;
type Format = (typeof FORMATS)[number];

const envNumber = (name: string, fallback: number, max: number): number => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? Math.min(value, max) : fallback;
};
const DURATION_S = envNumber('SOAK_DURATION_S', 60, 600);
const CONCURRENCY = envNumber('SOAK_CONCURRENCY', 8, 64);
const FAULT_RATE = Math.min(Math.max(Number(process.env.SOAK_FAULT_RATE ?? 0.3) || 0, 0), 1);
const SEED = envNumber('SOAK_SEED', 7, 2 ** 31);
/** Every Nth request the client disconnects after the first chunk (0 = never). */
const CANCEL_EVERY = Number(process.env.SOAK_CANCEL_EVERY ?? 10);
const CLIENT_TIMEOUT_MS = 20_000;
const ADMIN_TOKEN = 'soak-admin-token';
const MODEL = 'soak-model';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const baseUrl = (format: Format, origin: string) => (format.startsWith('openai') ? `${origin}/v1` : origin);

const requestFor = (format: Format, stream: boolean): { path: string; body: unknown } => {
  const messages = [{ role: 'user', content: 'soak' }];
  switch (format) {
    case 'openai-chat':
      return { path: '/v1/chat/completions', body: { model: MODEL, messages, stream } };
    case 'openai-responses':
      return { path: '/v1/responses', body: { model: MODEL, input: 'soak', stream } };
    case 'anthropic':
      return { path: '/v1/messages', body: { model: MODEL, max_tokens: 64, messages, stream } };
    case 'gemini':
      return { path: `/v1beta/models/${MODEL}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, body: { contents: [{ role: 'user', parts: [{ text: 'soak' }] }] } };
  }
};

const ERROR_MARKERS: Record<Format, RegExp> = {
  'openai-chat': /^data: \{"error"/m,
  'openai-responses': /^event: error$/m,
  anthropic: /^event: error$/m,
  gemini: /^data: \{"error"/m,
};

type Outcome = 'ok' | 'client-cancel' | 'in-stream-error' | `http-${number}` | 'client-timeout' | 'network-error';

const runOne = async (relayUrl: string, key: string, format: Format, stream: boolean, cancelEarly: boolean): Promise<Outcome> => {
  const { path: requestPath, body } = requestFor(format, stream);
  try {
    const response = await fetch(`${relayUrl}${requestPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      await response.arrayBuffer();
      return `http-${response.status}`;
    }
    if (cancelEarly && response.body !== null) {
      const reader = response.body.getReader();
      await reader.read();
      await reader.cancel();
      return 'client-cancel';
    }
    const text = await response.text();
    return stream && ERROR_MARKERS[format].test(text) ? 'in-stream-error' : 'ok';
  } catch (error) {
    return error instanceof DOMException && error.name === 'TimeoutError' ? 'client-timeout' : 'network-error';
  }
};

const main = async () => {
  // Loopback only: no Request.cf download from workers.cloudflare.com, no telemetry.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  const flaky = await startUpstream({ flaky: true, faultRate: FAULT_RATE, seed: SEED });
  const steady = await startUpstream({ flaky: false, faultRate: 0, seed: SEED });
  const server = createTestHarness({
    root,
    workers: [
      {
        configPath: 'wrangler.toml',
        secrets: { ADMIN_TOKEN, ENCRYPTION_KEY: 'soak-encryption-key', WEBHOOK_SECRET: 'soak-webhook-secret' },
        vars: { ALLOW_PRIVATE_URLS: 'true', DEV_MODE: 'true' },
      },
    ],
  });
  const { url } = await server.listen();
  await server.getWorker().applyD1Migrations('DB');
  const relayUrl = url.toString().replace(/\/$/, '');
  const admin = async (adminPath: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${relayUrl}/admin${adminPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`admin ${adminPath}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const timeouts = { firstByteTimeoutMs: 2_000, idleTimeoutMs: 1_000 };
  for (const format of FORMATS) {
    await admin('/providers', { id: `flaky-${format}`, protocol: format, baseUrl: baseUrl(format, flaky.url), apiKey: SOAK_UPSTREAM_KEY, models: [MODEL], priority: 0, ...timeouts });
    await admin('/providers', { id: `steady-${format}`, protocol: format, baseUrl: baseUrl(format, steady.url), apiKey: SOAK_UPSTREAM_KEY, models: [MODEL], priority: 1, ...timeouts });
  }
  const key = String((await admin('/keys', { name: 'soak', plan: 'unlimited' })).key);

  // Warm-up, so the start figure is the relay's settled footprint and not its cold start.
  for (const format of FORMATS) await runOne(relayUrl, key, format, true, false);
  const memoryStart: RelayMemory = relayMemory();
  const outcomes = new Map<Outcome, number>();
  const byFormat = new Map<Format, number>();
  const samples: number[] = [memoryStart.rssMiB];
  const started = Date.now();
  const deadline = started + DURATION_S * 1000;
  const sampler = setInterval(() => samples.push(relayMemory().rssMiB), 5_000);
  let sequence = 0;

  const worker = async () => {
    while (Date.now() < deadline) {
      const n = sequence++;
      const format = FORMATS[n % FORMATS.length] ?? 'openai-chat';
      const outcome = await runOne(relayUrl, key, format, n % 4 !== 3, CANCEL_EVERY > 0 && n % CANCEL_EVERY === CANCEL_EVERY - 1);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      byFormat.set(format, (byFormat.get(format) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(sampler);
  const elapsedS = (Date.now() - started) / 1000;
  const memoryEnd = relayMemory();

  const served = [...outcomes.values()].reduce((sum, count) => sum + count, 0);
  const report = {
    durationS: Math.round(elapsedS),
    concurrency: CONCURRENCY,
    faultRate: FAULT_RATE,
    requests: served,
    requestsPerSecond: Math.round((served / elapsedS) * 10) / 10,
    outcomes: Object.fromEntries([...outcomes.entries()].sort(([a], [b]) => a.localeCompare(b))),
    byClientFormat: Object.fromEntries(byFormat),
    faultsInjected: Object.fromEntries(Object.entries(flaky.injected).filter(([, count]) => count > 0)) as Partial<Record<FaultKind, number>>,
    relayMemoryMiB: { start: memoryStart.rssMiB, end: memoryEnd.rssMiB, peak: Math.max(...samples, memoryEnd.rssMiB), every5s: samples, perProcessEnd: memoryEnd.perPid },
  };
  console.log(JSON.stringify(report, null, 2));

  await server.close();
  await Promise.all([flaky.close(), steady.close()]);
};

// Bounded no matter what: a stuck shutdown cannot keep the soak alive past its time.
const hardStop = setTimeout(() => {
  console.error('soak: hard stop');
  process.exit(2);
}, (DURATION_S + 120) * 1000);
hardStop.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
