#!/usr/bin/env node
// `npm run dev`: everything a newcomer needs for a local relay, then `wrangler dev`.
// 1. .dev.vars from .dev.vars.example when missing; 2. local D1 migrations; 3. seed a demo account,
// a demo API key and the built-in mock provider (idempotent); 4. wrangler dev (extra args forwarded).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler');
const extraArgs = process.argv.slice(2);

const run = (args, options = {}) => {
  const result = spawnSync(wrangler, args, { stdio: options.quiet ? 'pipe' : 'inherit', env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  if (result.status !== 0) {
    if (options.quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error(`\nwrangler ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  return result.stdout ?? '';
};

// Secrets are generated, never the example's values: a .dev.vars that ends up deployed with
// `wrangler secret bulk` or copied to a shared box must not hold a token everyone has read.
const GENERATED_SECRETS = new Set(['ADMIN_TOKEN', 'ENCRYPTION_KEY', 'WEBHOOK_SECRET']);
if (!existsSync('.dev.vars')) {
  const lines = readFileSync('.dev.vars.example', 'utf8').split('\n').map((line) => {
    const name = /^([A-Z_]+)=/.exec(line)?.[1];
    return name !== undefined && GENERATED_SECRETS.has(name) ? `${name}="${randomBytes(32).toString('hex')}"` : line;
  });
  writeFileSync('.dev.vars', lines.join('\n'), { mode: 0o600 });
  console.log('Created .dev.vars with random ADMIN_TOKEN, ENCRYPTION_KEY and WEBHOOK_SECRET (layout from .dev.vars.example).');
}

// Wrangler's local state lives under .wrangler/state; pass --persist-to through if the caller moved it.
const persistIndex = extraArgs.indexOf('--persist-to');
const persistArgs = persistIndex >= 0 && extraArgs[persistIndex + 1] ? ['--persist-to', extraArgs[persistIndex + 1]] : [];

console.log('Applying D1 migrations locally…');
run(['d1', 'migrations', 'apply', 'DB', '--local', ...persistArgs], { quiet: true });

const demoKeyFile = path.join('.wrangler', 'demo-key.txt');
let demoKey = existsSync(demoKeyFile) ? readFileSync(demoKeyFile, 'utf8').trim() : '';
let created = false;
if (demoKey === '') {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  demoKey = `sk-relay-demo-${[...randomBytes(32)].map((byte) => alphabet[byte % 62]).join('')}`;
  created = true;
}
const hash = createHash('sha256').update(demoKey).digest('hex');
const now = Date.now();
const sql = `
INSERT INTO accounts (id, name, balance_micros, created_at) VALUES ('acct_demo', 'Demo account', 0, ${now}) ON CONFLICT (id) DO NOTHING;
INSERT INTO api_keys (id, account_id, name, key_hash, display_prefix, plan_id, billing, scopes, models, created_at)
  VALUES ('key_demo', 'acct_demo', 'Demo key', '${hash}', '${demoKey.slice(0, 20)}…', 'pro', 'subscription', '["chat","images"]', NULL, ${now})
  ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash, display_prefix = excluded.display_prefix, revoked_at = NULL;
INSERT INTO providers (id, protocol, base_url, api_key_encrypted, priority, weight, headers, enabled, created_at, updated_at)
  VALUES ('mock', 'mock', 'mock://', NULL, 100, 1, '{}', 1, ${now}, ${now}) ON CONFLICT (id) DO NOTHING;
INSERT INTO model_routes (public_model, provider_id, upstream_model) VALUES ('mock-*', 'mock', 'mock-*') ON CONFLICT DO NOTHING;
`;
mkdirSync('.wrangler', { recursive: true });
const sqlFile = path.join('.wrangler', 'dev-seed.sql');
writeFileSync(sqlFile, sql);
run(['d1', 'execute', 'DB', '--local', '--file', sqlFile, ...persistArgs], { quiet: true });
writeFileSync(demoKeyFile, `${demoKey}\n`);

const portIndex = extraArgs.indexOf('--port');
const port = portIndex >= 0 ? extraArgs[portIndex + 1] : '8787';
// `--var BASE_PATH:/llm-api` serves the relay under that path, as a Workers route on a shared site
// does; the Worker validates it, this only puts it into the URLs below (leading slash, no trailing one).
const basePathArg = extraArgs.find((arg) => arg.startsWith('BASE_PATH:'))?.slice('BASE_PATH:'.length).trim().replace(/\/+$/, '') ?? '';
const baseUrl = `http://localhost:${port}${basePathArg === '' || basePathArg.startsWith('/') ? basePathArg : `/${basePathArg}`}`;
const line = '─'.repeat(72);
console.log(`\n${line}\n polyrelay dev ${created ? '(demo key created — shown once here, kept in .wrangler/demo-key.txt)' : '(demo key from .wrangler/demo-key.txt)'}\n`);
console.log(`   Demo API key:  ${demoKey}`);
console.log(`   Base URL:      ${baseUrl}   (models: any name starting with "mock-")`);
console.log(`   Admin token:   see ADMIN_TOKEN in .dev.vars\n`);
console.log(`   curl ${baseUrl}/v1/chat/completions -H "authorization: Bearer ${demoKey}" \\`);
console.log(`     -H 'content-type: application/json' -d '{"model":"mock-1","messages":[{"role":"user","content":"hi"}]}'`);
console.log(`${line}\n`);

// DEV_MODE: this is a local run, so short example secrets in an old .dev.vars are still accepted.
// The mock provider is a dev-only switch: wrangler.toml leaves it off, so a deployed relay never serves it.
// USAGE_FOLD_SECONDS 0: usage is folded in every consumer batch, so the dashboard shows a request at once.
const devArgs = ['dev', ...(portIndex >= 0 ? [] : ['--port', '8787']), '--var', 'ENABLE_MOCK_PROVIDER:true', '--var', 'DEV_MODE:true', '--var', 'USAGE_FOLD_SECONDS:0', ...extraArgs];
const child = spawn(wrangler, devArgs, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
