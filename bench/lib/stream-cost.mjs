// Issue 17's figures: what one streamed event costs the relay against the floor, and what a long
// stream adds in time. Every stream scenario runs 20- and 200-delta streams (model suffix -n20 /
// -n200, see fake-upstream.mjs) at concurrency 1 on each target while the load thread reads the
// CPU time of the workerd process serving it (/proc schedstat, user + kernel, every thread):
//   marginal CPU per event = (CPU per 200-delta request − CPU per 20-delta request) / 180.
// Fixed per-request costs (routing, auth, headers, usage accounting) cancel out. The relay and the
// floor of the Miniflare pair share one workerd; their runs never overlap, so its CPU during a run
// is that target's. The 200-delta streams also run at concurrency 16 for the time added.
import { countSuffix } from './fake-upstream.mjs';
import { MODEL_OF, STREAM_SIZES } from './targets.mjs';

export const STREAM_COST_GOALS = { passthroughUs: 5, translatedUs: 10, totalRatio: 1.3, addedRatio: 1.2 };
const [SMALL, LARGE] = STREAM_SIZES;
const SCENARIOS = [
  ['openai-chat', 'openai-chat'],
  ['openai-responses', 'openai-responses'],
  ['anthropic', 'anthropic'],
  ['gemini', 'gemini'],
  ['anthropic', 'openai-chat'],
  ['openai-chat', 'anthropic'],
  ['openai-responses', 'anthropic'],
  ['gemini', 'openai-chat'],
];
/** The relay of BENCH_BEFORE's commit, in a workerd of its own, measured right before this one per scenario. */
const BEFORE = 'relay before·workerd';
export const scenarioId = (client, upstream) => (client === upstream ? `${client} stream` : `${client}→${upstream} stream`);

/**
 * Runs every scenario. `requestFor(format, model, stream, key)` builds a load job's request;
 * `targets` holds { pair, beforePair, harnessRelay, harnessFloor, fakeUrl } (absent targets are skipped).
 * Returns { [scenarioId]: { [target]: { [size]: { c1, c16? } } } } plus the floors under `floor:<format>`.
 */
export const runStreamCost = async ({ load, requestFor, targets, ms, log, only, rounds: streamRounds = 1 }) => {
  const { pair, beforePair, harnessRelay, harnessFloor, fakeUrl } = targets;
  const out = {};
  // BENCH_STREAM_SCENARIOS (comma-separated ids, e.g. "anthropic stream"): a subset while iterating.
  const scenarios = only === undefined ? SCENARIOS : SCENARIOS.filter(([client, upstream]) => only.includes(scenarioId(client, upstream)));
  const run = async (job, pids, concurrency, size) =>
    load.run({
      ...job,
      cpuPids: pids,
      concurrency,
      maxRequests: concurrency === 1 ? 400 : 3000,
      maxMs: size === SMALL && concurrency === 1 ? ms : ms * 1.5,
      warmup: Math.max(8, concurrency),
    });
  const measure = async (jobFor, pids) => {
    const bySize = {};
    for (const size of STREAM_SIZES) {
      const job = jobFor(size);
      bySize[size] = { c1: await run(job, pids, 1, size) };
      if (size === LARGE) bySize[size].c16 = await run(job, pids, 16, size);
      const error = bySize[size].c1.error ?? bySize[size].c16?.error;
      if (error) log(`    n=${size}: ${error.slice(0, 300)}`);
    }
    return bySize;
  };
  const floors = {};
  for (const format of new Set(scenarios.map(([, upstream]) => upstream))) {
    const model = (size) => `bench-model${countSuffix(size)}`;
    const floor = {};
    floor.direct = await measure((size) => ({ origin: fakeUrl, ...requestFor(format, model(size), true) }), undefined);
    if (pair) floor['floor·workerd'] = await measure((size) => ({ origin: pair.floorUrl, ...requestFor(format, model(size), true) }), pair.pids);
    if (pair) floor['floor+JS reader·workerd'] = await measure((size) => ({ origin: pair.hopsUrl, ...requestFor(format, model(size), true) }), pair.pids);
    if (pair) floor['JS writer·workerd'] = await measure((size) => ({ origin: pair.writerUrl, ...requestFor(format, model(size), true) }), pair.pids);
    if (harnessFloor) floor['floor·harness'] = await measure((size) => ({ origin: harnessFloor.url, ...requestFor(format, model(size), true) }), harnessFloor.pids);
    floors[format] = floor;
    log(`  stream cost: floors of ${format} done`);
  }
  for (const [client, upstream] of scenarios) {
    const model = (size) => `${MODEL_OF[upstream]}${countSuffix(size)}`;
    const relay = {};
    // BENCH_STREAM_ROUNDS: the Miniflare relays (and BENCH_BEFORE's) are measured that many times,
    // alternating, and each keeps its round with the median CPU per event (machine drift and GC
    // spread a single round's figure by ±20 % here).
    const rounds = { [BEFORE]: [], 'relay·workerd': [] };
    for (let round = 0; round < streamRounds; round++) {
      if (beforePair) rounds[BEFORE].push(await measure((size) => ({ origin: beforePair.relayUrl, ...requestFor(client, model(size), true, beforePair.key) }), beforePair.pids));
      if (pair) rounds['relay·workerd'].push(await measure((size) => ({ origin: pair.relayUrl, ...requestFor(client, model(size), true, pair.key) }), pair.pids));
    }
    for (const [target, measured] of Object.entries(rounds)) if (measured.length > 0) relay[target] = medianRound(measured);
    if (harnessRelay) relay['relay·harness'] = await measure((size) => ({ origin: harnessRelay.url, ...requestFor(client, model(size), true, harnessRelay.key) }), harnessRelay.pids);
    out[scenarioId(client, upstream)] = { client, upstream, ...floors[upstream], ...relay };
    log(`  stream cost: ${scenarioId(client, upstream)} done`);
  }
  return out;
};

const medianRound = (measured) => [...measured].sort((a, b) => (marginalCpuUs(a) || 0) - (marginalCpuUs(b) || 0))[Math.floor(measured.length / 2)];
const cpuPerRequestUs = (result) => (result?.cpuNs === undefined || !result.requests ? NaN : result.cpuNs / result.requests / 1000);
/** µs of CPU per streamed event beyond the first 20. */
export const marginalCpuUs = (bySize) => (cpuPerRequestUs(bySize?.[LARGE]?.c1) - cpuPerRequestUs(bySize?.[SMALL]?.c1)) / (LARGE - SMALL);

const f = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const signed = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`);

/**
 * The markdown section. `nonStream(runtime)` → { floor, relay } added p50 ms of chat→chat non-stream (from
 * the matrix), or undefined; `before` / `after` name the commits when BENCH_BEFORE measured one.
 */
export const streamCostReport = (cost, { nonStream, before, after } = {}) => {
  const lines = [];
  const ok = (met) => (met ? '✅' : '❌');
  const added = (entry, target, c, metric = 'latency') => entry[target]?.[LARGE]?.[c]?.[metric]?.p50 - entry.direct?.[LARGE]?.[c]?.[metric]?.p50;
  const goals = [];
  for (const runtime of ['harness', 'workerd']) {
    const relay = `relay·${runtime}`;
    const floor = `floor·${runtime}`;
    const ns = nonStream?.(runtime);
    if (ns) goals.push([`non-stream added p50, openai-chat (${runtime}, c=1)`, `${signed(ns.floor)} ms`, `${signed(ns.relay)} ms (${f(ns.relay / ns.floor)}×)`, `≤ ${STREAM_COST_GOALS.addedRatio}× floor`, ok(ns.relay / ns.floor <= STREAM_COST_GOALS.addedRatio)]);
    const chat = cost[scenarioId('openai-chat', 'openai-chat')];
    if (chat?.[relay]) {
      const fl = added(chat, floor, 'c1', 'ttfb');
      const re = added(chat, relay, 'c1', 'ttfb');
      goals.push([`stream TTFB added p50, openai-chat, ${LARGE} events (${runtime}, c=1)`, `${signed(fl)} ms`, `${signed(re)} ms (${f(re / fl)}×)`, `≤ ${STREAM_COST_GOALS.addedRatio}× floor`, ok(re / fl <= STREAM_COST_GOALS.addedRatio)]);
    }
    // The harness's CPU is not attributable (see the note above): CPU goals are read off the Miniflare workerd.
    for (const kind of runtime === 'workerd' ? ['passthrough', 'translated'] : []) {
      const entries = Object.entries(cost).filter(([, e]) => (e.client === e.upstream) === (kind === 'passthrough') && e[relay]);
      if (entries.length === 0) continue;
      const margin = kind === 'passthrough' ? STREAM_COST_GOALS.passthroughUs : STREAM_COST_GOALS.translatedUs;
      const rows = entries.map(([id, e]) => ({ id, floor: marginalCpuUs(e[floor]), relay: marginalCpuUs(e[relay]) }));
      const worst = rows.reduce((a, b) => (b.relay - b.floor > a.relay - a.floor ? b : a));
      const met = rows.filter((r) => r.relay - r.floor <= margin).length;
      goals.push([
        `marginal CPU per streamed event, ${kind} (${runtime}; ${met}/${rows.length} scenarios)`,
        `${f(Math.min(...rows.map((r) => r.floor)), 1)}–${f(Math.max(...rows.map((r) => r.floor)), 1)} µs`,
        `${f(Math.min(...rows.map((r) => r.relay)), 1)}–${f(Math.max(...rows.map((r) => r.relay)), 1)} µs (worst ${worst.id}: ${signed(worst.relay - worst.floor, 1)} µs over its floor; ${signed(worst.relay - marginalCpuUs(cost[worst.id]['floor+JS reader·workerd']), 1)} µs over the JS-reader floor)`,
        `≤ floor + ${margin} µs`,
        ok(met === rows.length),
      ]);
    }
    for (const c of ['c1', 'c16']) {
      const rows = Object.entries(cost)
        .filter(([, e]) => e[relay])
        .map(([id, e]) => ({ id, floor: added(e, floor, c), relay: added(e, relay, c) }));
      if (rows.length === 0) continue;
      const worst = rows.reduce((a, b) => (b.relay / b.floor > a.relay / a.floor ? b : a));
      const chat = rows.find((r) => r.id === scenarioId('openai-chat', 'openai-chat'));
      const met = rows.filter((r) => r.relay / r.floor <= STREAM_COST_GOALS.totalRatio).length;
      goals.push([
        `${LARGE}-event stream, total time added p50 (${runtime}, c=${c.slice(1)}; ${met}/${rows.length} scenarios)`,
        chat ? `${signed(chat.floor)} ms (openai-chat)` : '—',
        `${chat ? `${signed(chat.relay)} ms (openai-chat, ${f(chat.relay / chat.floor)}×); ` : ''}worst ${worst.id}: ${signed(worst.relay)} vs ${signed(worst.floor)} ms (${f(worst.relay / worst.floor)}×)`,
        `≤ ${STREAM_COST_GOALS.totalRatio}× floor`,
        ok(met === rows.length),
      ]);
    }
  }
  lines.push(
    "## Stream cost at the platform's floor (issue 17)",
    '',
    `Each stream scenario ran ${SMALL}- and ${LARGE}-delta streams at c=1 (and ${LARGE} at c=16) against the relay and the floor of its upstream format. ` +
      `*Marginal CPU per event* = (CPU per ${LARGE}-delta request − CPU per ${SMALL}-delta request) / ${LARGE - SMALL}, from the CPU time of the workerd process that served the run ` +
      '(Linux schedstat, user + kernel, all threads; fixed per-request costs cancel). *Added* = target p50 − direct p50 in the same run. ' +
      '*floor+JS reader* = the floor with one JS pull reader between upstream and client and no parsing (bench/floor-worker/hops.js): ' +
      'in workerd every chunk that passes through a JS-built ReadableStream body costs far more CPU than the native pipe, so this, not the bare floor, is the least any relay that must see (and may end or extend) its stream can cost. ' +
      '*JS writer* = a Worker that writes the same events from memory into a JS ReadableStream body, one event per pull, with no upstream at all (bench/floor-worker/writer.js): ' +
      'the least a JS-written body costs per event in workerd, so a bound under any relay that renders its stream in JS (every translation). ' +
      'The harness runs the Worker in processes the bench cannot attribute, so its CPU columns are not meaningful; its times are. ' +
      'CPU time is far less sensitive than wall time to other load on the machine.',
    '',
    '| goal | floor | relay | target | |',
    '|---|---|---|---|---|',
    ...goals.map((row) => `| ${row.join(' | ')} |`),
    '',
    `| scenario | runtime | CPU µs/event floor | floor+JS reader | JS writer | relay | relay − floor | relay CPU ms per ${LARGE}-delta request | total added c=1 floor / relay (×) | c=16 floor / relay (×) | TTFB added c=1 floor / relay |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [id, e] of Object.entries(cost)) {
    for (const runtime of ['workerd', 'harness']) {
      const relay = `relay·${runtime}`;
      const floor = `floor·${runtime}`;
      if (!e[relay]) continue;
      const fc = marginalCpuUs(e[floor]);
      const rc = marginalCpuUs(e[relay]);
      const total = (c) => `${signed(added(e, floor, c))} / ${signed(added(e, relay, c))} (${f(added(e, relay, c) / added(e, floor, c))}×)`;
      lines.push(
        `| ${id} | ${runtime} | ${f(fc, 1)} | ${runtime === 'workerd' ? f(marginalCpuUs(e['floor+JS reader·workerd']), 1) : '—'} | ${runtime === 'workerd' ? f(marginalCpuUs(e['JS writer·workerd']), 1) : '—'} | ${f(rc, 1)} | ${signed(rc - fc, 1)} | ${f(cpuPerRequestUs(e[relay][LARGE]?.c1) / 1000)} | ${total('c1')} | ${total('c16')} | ${signed(added(e, floor, 'c1', 'ttfb'))} / ${signed(added(e, relay, 'c1', 'ttfb'))} |`,
      );
    }
  }
  lines.push('', ...beforeAfterTable(cost, { before, after, added }));
  return lines;
};

/** Before/after from one run: BENCH_BEFORE's relay and this one, each scenario measured back to back. */
const beforeAfterTable = (cost, { before, after, added }) => {
  const entries = Object.entries(cost).filter(([, e]) => e[BEFORE] && e['relay·workerd']);
  if (entries.length === 0) return [];
  const pair = (a, b, digits = 2) => `${signed(a, digits)} → ${signed(b, digits)}`;
  return [
    `### Before (${before}) and after (${after}), one run`,
    '',
    `Both relays in a workerd of their own (Miniflare), each scenario run on the relay at ${before} and then on this one, against the same fake upstream and floor runs. ` +
      'CPU = marginal CPU µs per streamed event; added = target p50 − direct p50 of a 200-event stream.',
    '',
    '| scenario | CPU µs/event | floor | CPU per 200-event request (ms) | added c=1 (ms) | added c=16 (ms) | TTFB added c=1 (ms) |',
    '|---|---|---|---|---|---|---|',
    ...entries.map(([id, e]) => {
      const cpu = (target) => marginalCpuUs(e[target]);
      const request = (target) => cpuPerRequestUs(e[target]?.[LARGE]?.c1) / 1000;
      return `| ${id} | ${f(cpu(BEFORE), 1)} → ${f(cpu('relay·workerd'), 1)} | ${f(cpu('floor·workerd'), 1)} | ${f(request(BEFORE))} → ${f(request('relay·workerd'))} | ${pair(added(e, BEFORE, 'c1'), added(e, 'relay·workerd', 'c1'))} | ${pair(added(e, BEFORE, 'c16'), added(e, 'relay·workerd', 'c16'))} | ${pair(added(e, BEFORE, 'c1', 'ttfb'), added(e, 'relay·workerd', 'c1', 'ttfb'))} |`;
    }),
    '',
  ];
};
