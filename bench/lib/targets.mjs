// Everything the bench measures, started on 127.0.0.1 and stopped by the caller:
// - the relay and the floor Worker in wrangler's createTestHarness (the `wrangler dev` runtime);
// - the relay and the floor Worker together in ONE workerd through Miniflare's API, each on a
//   direct socket (no entry/proxy worker in front), for figures comparable with Node peers;
// - the peers from bench/node_modules: Portkey's gateway and claude-code-router, as child processes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { createTestHarness, unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from 'wrangler';
import { countSuffix, PACED_SUFFIX } from './fake-upstream.mjs';
import { BENCH, ROOT } from './paths.mjs';

// 24+ characters: outside DEV_MODE the relay refuses a shorter admin token (src/auth/admin-token.ts).
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const SECRETS = { ADMIN_TOKEN, ENCRYPTION_KEY: 'bench-encryption-key', WEBHOOK_SECRET: 'bench-webhook-secret' };
export const FAKE_KEY = 'sk-bench-upstream';

/** Public model per upstream format (the fake answers every model; `<model>-paced` streams at a model's pace). */
export const MODEL_OF = { 'openai-chat': 'bench-chat', 'openai-responses': 'bench-responses', anthropic: 'bench-claude', gemini: 'bench-gemini' };

/** Text deltas per stream in the stream-cost runs: CPU per event = the difference / (200 − 20). */
export const STREAM_SIZES = [20, 200];
const modelsOf = (model) => [model, `${model}${PACED_SUFFIX}`, ...STREAM_SIZES.map((count) => `${model}${countSuffix(count)}`)];

/** Providers and keys through the admin API, as an operator would. Returns { key, quotaKey }. */
export const configureRelay = async (relayUrl, fakeUrl) => {
  const admin = async (pathName, body) => {
    const response = await fetch(`${relayUrl}/admin${pathName}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`admin ${pathName}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  await admin('/providers', { id: 'bench-chat', protocol: 'openai-chat', baseUrl: `${fakeUrl}/v1`, apiKey: FAKE_KEY, models: modelsOf(MODEL_OF['openai-chat']) });
  await admin('/providers', { id: 'bench-responses', protocol: 'openai-responses', baseUrl: `${fakeUrl}/v1`, apiKey: FAKE_KEY, models: modelsOf(MODEL_OF['openai-responses']) });
  await admin('/providers', { id: 'bench-anthropic', protocol: 'anthropic', baseUrl: fakeUrl, apiKey: FAKE_KEY, models: modelsOf(MODEL_OF.anthropic) });
  await admin('/providers', { id: 'bench-gemini', protocol: 'gemini', baseUrl: fakeUrl, apiKey: FAKE_KEY, models: modelsOf(MODEL_OF.gemini) });
  // No request windows: admission is decided in the Worker, no Durable Object round trip.
  const unlimited = await admin('/keys', { name: 'bench unlimited', plan: 'unlimited', scopes: ['chat'] });
  // A subscription key with (huge) windows: every request takes the QuotaLimiter DO round trip.
  const quota = await admin('/keys', {
    name: 'bench quota',
    plan: 'pro',
    scopes: ['chat'],
    quotaOverrides: { requestsPer5h: 1_000_000_000, requestsPerWeek: 1_000_000_000 },
  });
  return { key: unlimited.key, quotaKey: quota.key };
};

// ── wrangler's test harness (the runtime `wrangler dev` uses) ──────────────────────────────────
/** BENCH_PASSTHROUGH_PIPE=native|js: the relay's PASSTHROUGH_PIPE (unset: the relay's default). */
const PIPE = process.env.BENCH_PASSTHROUGH_PIPE ? { PASSTHROUGH_PIPE: process.env.BENCH_PASSTHROUGH_PIPE } : {};

export const startHarnessRelay = async ({ fakeUrl, prebuiltWorkerDir, root = ROOT }) => {
  const server = createTestHarness({
    root,
    workers: [{ configPath: 'wrangler.toml', prebuiltWorkerDir, secrets: SECRETS, vars: { ALLOW_PRIVATE_URLS: 'true', DEV_MODE: 'true', ...PIPE } }],
  });
  const { url } = await server.listen();
  await server.getWorker().applyD1Migrations('DB');
  const relayUrl = url.toString().replace(/\/$/, '');
  const keys = await configureRelay(relayUrl, fakeUrl);
  return { url: relayUrl, ...keys, close: () => server.close() };
};

export const startHarnessFloor = async ({ fakeUrl }) => {
  const server = createTestHarness({ root: BENCH, workers: [{ configPath: 'floor-worker/wrangler.toml', vars: { UPSTREAM: fakeUrl } }] });
  const { url } = await server.listen();
  return { url: url.toString().replace(/\/$/, ''), close: () => server.close() };
};

// ── one workerd through Miniflare: relay + floor side by side ──────────────────────────────────
const migrationStatements = (root = ROOT) =>
  readdirSync(path.join(root, 'schema/migrations'))
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .flatMap((name) => unstable_splitSqlQuery(readFileSync(path.join(root, 'schema/migrations', name), 'utf8').replaceAll('--> statement-breakpoint', '')));

export const relayWorkerOptions = ({ bundlePath, name = 'relay', root = ROOT }) => {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, 'wrangler.toml'));
  // Keep only what the bundle needs (empty binding maps and wrangler's module rules do not convert).
  const kept = Object.fromEntries(
    Object.entries(workerOptions).filter(
      ([name, value]) =>
        !['modulesRules', 'connectHandlers', 'rootPath', 'cronTriggers'].includes(name) &&
        value !== undefined &&
        !(Array.isArray(value) && value.length === 0) &&
        !(value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0),
    ),
  );
  delete kept.email;
  return {
    ...kept,
    name,
    modules: true,
    scriptPath: bundlePath,
    modulesRoot: path.dirname(bundlePath),
    bindings: { ...workerOptions.bindings, ...SECRETS, ALLOW_PRIVATE_URLS: 'true', ...PIPE },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  };
};

export const floorWorkerOptions = ({ fakeUrl, name = 'floor', script = 'index.js', bindings = {} }) => ({
  name,
  modules: true,
  scriptPath: path.join(BENCH, 'floor-worker', script),
  compatibilityDate: '2026-11-01',
  compatibilityFlags: ['nodejs_compat'],
  bindings: { UPSTREAM: fakeUrl, ...bindings },
  unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
});

/** Miniflare 5 takes its own config shape; the V4 (wrangler-style) options are converted. */
export const newMiniflare = (v4Options) => new Miniflare(convertV4MiniflareOptions(v4Options));

export const applyMigrations = async (mf, workerName = 'relay', root = ROOT) => {
  const db = await mf.getD1Database('DB', workerName);
  await db.batch(migrationStatements(root).map((sql) => db.prepare(sql)));
};

export const startMiniflarePair = async ({ fakeUrl, bundlePath, persistRoot, root = ROOT, inspectorPort }) => {
  const mf = newMiniflare({
    host: '127.0.0.1',
    port: 0,
    ...(inspectorPort ? { inspectorPort } : {}),
    ...(persistRoot
      ? { d1Persist: path.join(persistRoot, 'd1'), kvPersist: path.join(persistRoot, 'kv'), durableObjectsPersist: path.join(persistRoot, 'do') }
      : {}),
    workers: [
      relayWorkerOptions({ bundlePath, root }),
      floorWorkerOptions({ fakeUrl }),
      floorWorkerOptions({ fakeUrl, name: 'hops', script: 'hops.js', bindings: { HOPS: '0' } }),
      floorWorkerOptions({ fakeUrl, name: 'writer', script: 'writer.js' }),
    ],
  });
  await mf.ready;
  await applyMigrations(mf, 'relay', root);
  const relayUrl = (await mf.unsafeGetDirectURL('relay')).toString().replace(/\/$/, '');
  const floorUrl = (await mf.unsafeGetDirectURL('floor')).toString().replace(/\/$/, '');
  const hopsUrl = (await mf.unsafeGetDirectURL('hops')).toString().replace(/\/$/, '');
  const writerUrl = (await mf.unsafeGetDirectURL('writer')).toString().replace(/\/$/, '');
  const keys = await configureRelay(relayUrl, fakeUrl);
  return { relayUrl, floorUrl, hopsUrl, writerUrl, ...keys, close: () => mf.dispose() };
};

// ── peers (child processes, loopback) ──────────────────────────────────────────────────────────
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const waitForHttp = async (url, child, ms, log) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${log().slice(-600)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new Error(`not listening after ${ms} ms: ${log().slice(-600)}`);
};

const spawnPeer = (command, args, options) => {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  // A binary that cannot be started (wrong path) is reported through waitForHttp, not as a crash.
  child.on('error', (error) => (output += `\n${error.message}`));
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { child, log: () => output, stop };
};

const PEERS = path.join(BENCH, 'node_modules');

/** Portkey's AI gateway (Hono on @hono/node-server), provider and custom host chosen per request by header. */
export const startPortkey = async ({ node = process.execPath } = {}) => {
  const port = await freePort();
  const script = path.join(PEERS, '@portkey-ai/gateway/build/start-server.js');
  if (!existsSync(script)) throw new Error('not installed (cd bench && npm install)');
  const peer = spawnPeer(node, [script, `--port=${port}`, '--headless'], {
    cwd: path.join(PEERS, '@portkey-ai/gateway'),
    env: { ...process.env, NODE_ENV: 'production' },
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, peer.child, 20_000, peer.log);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, close: peer.stop, log: peer.log };
};

export const CCR_KEY = 'sk-bench-ccr';

/** claude-code-router (`ccr start`, foreground) with its config in a private HOME. */
export const startCcr = async ({ fakeUrl, home }) => {
  const port = await freePort();
  mkdirSync(path.join(home, '.claude-code-router'), { recursive: true });
  const config = {
    LOG: false,
    HOST: '127.0.0.1',
    PORT: port,
    APIKEY: CCR_KEY,
    API_TIMEOUT_MS: 30_000,
    Providers: [{ name: 'fake', api_base_url: `${fakeUrl}/v1/chat/completions`, api_key: FAKE_KEY, models: [MODEL_OF['openai-chat']] }],
    Router: { default: `fake,${MODEL_OF['openai-chat']}` },
  };
  writeFileSync(path.join(home, '.claude-code-router', 'config.json'), JSON.stringify(config, null, 2));
  const cli = path.join(PEERS, '@musistudio/claude-code-router/dist/cli.js');
  if (!existsSync(cli)) throw new Error('not installed (cd bench && npm install)');
  const peer = spawnPeer(process.execPath, [cli, 'start'], {
    cwd: home,
    env: { ...process.env, HOME: home, USERPROFILE: home, SERVICE_PORT: String(port), CI: 'true', NO_UPDATE_NOTIFIER: '1' },
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, peer.child, 30_000, peer.log);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, close: peer.stop, log: peer.log };
};
