#!/usr/bin/env node
// Heap an open stream keeps in the relay's isolate, and how much of it is the client's request body.
// `npm run bench:memory` (= `node bench/stream-memory.mjs`, Node 22): builds the relay as deployed
// (`wrangler deploy --dry-run`), starts it alone in one workerd (Miniflare API, inspector on) with a fake
// upstream that holds every stream open after its first text delta (lib/held-upstream.mjs), and per
// scenario opens MEMORY_STREAMS (40) concurrent streams with a tiny body, then as many with a body of
// MEMORY_BODY_BYTES (1,000,000) characters of message text. With each batch mid-stream (the relay has
// answered, its upstream is open) it forces a full GC over the inspector (a heap snapshot) and reads
// the isolate's used heap (Runtime.getHeapUsage): (used − used before the batch) / streams is the heap
// one open stream holds. The streams are then released and read to their end.
// BENCH_BEFORE=<git ref> measures that commit's relay too, in a workerd of its own, before this one.
// Exits 1 when an open stream of this tree holds more than a tenth of its body (large − tiny), in a
// scenario whose answer needs none of it afterwards: a stream must let go of its request once the
// upstream has it.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startHeldUpstream } from './lib/held-upstream.mjs';
import { connectInspector } from './lib/inspector.mjs';
import { ROOT, SCRATCH } from './lib/paths.mjs';
import { requestFor } from './lib/requests.mjs';
import { snapshotSource } from './lib/source-snapshot.mjs';
import * as T from './lib/targets.mjs';

const STREAMS = Number(process.env.MEMORY_STREAMS ?? 40);
const BODY_BYTES = Number(process.env.MEMORY_BODY_BYTES ?? 1_000_000);
/** The most of its body an open stream may hold (the guard). */
const MAX_BODY_SHARE = 0.1;

/**
 * client → upstream. `keepsInput`: the answer keeps the turn's own input until it is written (a
 * translated Responses answer with `store` on: responses-store.ts), so the body stays by design.
 */
const SCENARIOS = [
  { client: 'anthropic', upstream: 'anthropic' },
  { client: 'openai-chat', upstream: 'openai-chat' },
  { client: 'openai-responses', upstream: 'openai-responses' },
  { client: 'openai-chat', upstream: 'anthropic' },
  { client: 'anthropic', upstream: 'openai-chat' },
  { client: 'openai-responses', upstream: 'anthropic', extra: { store: false } },
  { client: 'openai-responses', upstream: 'anthropic', keepsInput: true },
];
const nameOf = ({ client, upstream, extra }) =>
  `${client === upstream ? client : `${client}→${upstream}`}${extra?.store === false ? ' (store: false)' : ''}`;

const WORDS = 'the quick brown fox jumps over a lazy dog while seven wizards quietly box jam ';
const textOf = (chars) => WORDS.repeat(Math.ceil(chars / WORDS.length)).slice(0, chars);

/** The scenario's streaming request with `chars` characters of user message text. */
const requestOf = (scenario, key, chars) => {
  const request = requestFor(scenario.client, T.MODEL_OF[scenario.upstream], true, key);
  const body = JSON.parse(request.body);
  const text = textOf(chars);
  if (scenario.client === 'openai-responses') body.input = text;
  else if (scenario.client === 'gemini') body.contents[0].parts[0].text = text;
  else body.messages[0].content = text;
  return { ...request, body: JSON.stringify({ ...body, ...scenario.extra }) };
};

const build = (dir, cwd) => {
  rmSync(dir, { recursive: true, force: true });
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', dir], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed: ${result.stderr}${result.stdout}`);
  return path.join(dir, 'index.js');
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream the relay answered: its first chunk read, the rest left in flight. */
const openStream = async (relayUrl, request) => {
  const response = await fetch(`${relayUrl}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
  if (response.status !== 200) throw new Error(`${request.path}: ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) throw new Error(`${request.path}: the stream ended before its first chunk`);
  return reader;
};

const drain = async (reader) => {
  while (!(await reader.read()).done);
};

const startRelay = async ({ bundlePath, root, fakeUrl }) => {
  const inspectorPort = await T.freePort();
  const mf = T.newMiniflare({
    host: '127.0.0.1',
    port: 0,
    inspectorPort,
    // The relay's request log lines are left out; its warnings and errors are shown.
    handleStructuredLogs: ({ level, message }) => {
      if (level === 'warn' || level === 'error') console.error(message);
    },
    workers: [T.relayWorkerOptions({ bundlePath, root })],
  });
  await mf.ready;
  await T.applyMigrations(mf, 'relay', root);
  const url = (await mf.unsafeGetDirectURL('relay')).toString().replace(/\/$/, '');
  const { key } = await T.configureRelay(url, fakeUrl);
  const inspector = await connectInspector(inspectorPort, 'relay');
  // A heap snapshot collects all garbage first; workerd leaves HeapProfiler.collectGarbage unanswered.
  // The snapshot itself (HeapProfiler.addHeapSnapshotChunk events) is dropped.
  const usedHeap = async () => {
    await inspector.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    return (await inspector.send('Runtime.getHeapUsage')).usedSize;
  };
  return {
    url,
    key,
    usedHeap,
    close: async () => {
      inspector.close();
      await mf.dispose();
    },
  };
};

/** Heap per open stream of one batch: opened, measured mid-stream, released, read to the end. */
const measureBatch = async (relay, fake, request) => {
  const before = await relay.usedHeap();
  const readers = await Promise.all(Array.from({ length: STREAMS }, () => openStream(relay.url, request)));
  if (fake.held() !== STREAMS) throw new Error(`${fake.held()} upstream streams open, ${STREAMS} expected`);
  await sleep(200);
  const open = await relay.usedHeap();
  fake.release();
  await Promise.all(readers.map(drain));
  // The accounting after each stream (usage event, quota release) runs in its waitUntil.
  await sleep(500);
  const after = await relay.usedHeap();
  return { perStream: (open - before) / STREAMS, leftPerStream: (after - before) / STREAMS };
};

const measureRelay = async (label, relay, fake) => {
  const rows = [];
  for (const scenario of SCENARIOS) {
    const tiny = requestOf(scenario, relay.key, 2);
    // Warm-up: the scenario's code compiled and its caches (key, routes, codecs) filled before any figure.
    for (let i = 0; i < 3; i++) await measureBatch(relay, fake, tiny);
    const small = await measureBatch(relay, fake, tiny);
    const large = await measureBatch(relay, fake, requestOf(scenario, relay.key, BODY_BYTES));
    const bodyShare = (large.perStream - small.perStream) / BODY_BYTES;
    rows.push({ label, scenario: nameOf(scenario), keepsInput: scenario.keepsInput === true, small, large, bodyShare });
    console.log(
      `${label} ${nameOf(scenario)}: ${kb(small.perStream)} KB per open stream (tiny body), ${kb(large.perStream)} KB (${BODY_BYTES.toLocaleString('en')}-character body): ${pct(bodyShare)} of the body`,
    );
  }
  return rows;
};

const kb = (bytes) => (bytes / 1024).toFixed(1);
const pct = (share) => `${Math.round(share * 100) || 0} %`;

const fake = await startHeldUpstream();
const relays = [];
try {
  const beforeRef = process.env.BENCH_BEFORE;
  if (beforeRef) {
    const root = snapshotSource(beforeRef, path.join(SCRATCH, 'memory-src-before'));
    relays.push({ label: `before (${beforeRef})`, bundlePath: build(path.join(SCRATCH, 'memory-build-before'), root), root });
  }
  relays.push({ label: 'this tree', bundlePath: build(path.join(SCRATCH, 'memory-build'), ROOT), root: ROOT, guarded: true });

  const rows = [];
  for (const { label, bundlePath, root, guarded } of relays) {
    const relay = await startRelay({ bundlePath, root, fakeUrl: fake.url });
    try {
      for (const row of await measureRelay(label, relay, fake)) rows.push({ ...row, guarded });
    } finally {
      await relay.close();
    }
  }

  console.log(`\n${STREAMS} concurrent streams per batch, held open after their first text delta; heap after a forced GC, per open stream:\n`);
  console.log(`| relay | scenario | tiny body | ${BODY_BYTES.toLocaleString('en')}-character body | share of the body held | left per stream after they ended (large) |`);
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    const note = row.keepsInput ? ' (the turn\'s input, kept for the store by design)' : '';
    console.log(`| ${row.label} | ${row.scenario} | ${kb(row.small.perStream)} KB | ${kb(row.large.perStream)} KB | ${pct(row.bodyShare)}${note} | ${kb(row.large.leftPerStream)} KB |`);
  }
  const failed = rows.filter((row) => row.guarded && !row.keepsInput && row.bodyShare > MAX_BODY_SHARE);
  if (failed.length > 0) {
    console.error(`\nAn open stream holds more than ${pct(MAX_BODY_SHARE)} of its request body: ${failed.map((row) => row.scenario).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await fake.close();
}
