#!/usr/bin/env node
// `npm run admin -- <command>`: the admin API from a terminal. The token comes from $ADMIN_TOKEN or
// .dev.vars (never a flag: flags show up in `ps` and shell history); the relay from --url or $POLYRELAY_URL.
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `polyrelay admin CLI

  npm run admin -- [--url http://localhost:8787] <command> [options]

keys       list | get <id> | revoke <id> | reset-quota <id>
           create --name N [--kind inference|agent] [--plan free|pro|max5x|max20x|unlimited] [--scopes chat,images]
                  [--models a,b] [--billing subscription|prepaid] [--account ID] [--cap USD] [--expires ISO]
                  --kind agent: a key for the agent API (/api/v1/agents); needs --plan pro, max5x or max20x, no --cap
           update <id> [--name N] [--kind K] [--plan P] [--scopes ..] [--models a,b|all] [--billing B] [--cap USD|none] [--expires ISO|never]
           limits (create and update; a number overrides the plan, none = unlimited, plan = back to the plan's):
                  [--per-5h N] [--per-week N] [--per-minute N] [--max-concurrent N]
                  [--tokens-per-minute N] [--tokens-per-day N]   (input + output tokens)
providers  list | get <id> | enable <id> | disable <id> | delete <id>
           add --id ID --protocol P --base-url URL (--models a,public=upstream | --models-file FILE)
               [--api-key-env VAR | --api-key-stdin] [--priority N] [--weight N] [--max-retries N] [--disabled]
               FILE: a JSON array of model entries as the admin API takes them ({"name", "upstream"?,
               "contextWindow"?, "maxOutputTokens"?, "outputTokenField"?}), or one name[=upstream] per line
           update <id> [the same options as add, but --id]
prices     list | get <model> | delete <model>
           set <model> --input USD --output USD [--cache-read USD] [--cache-write USD] [--per-image USD]   (per 1M tokens)
           import <file.json>   a JSON array of {"model", "inputPerMillion", "outputPerMillion", ...}, one atomic write
accounts   list | get <id> | ledger <id> | create --name N | topup <id> --amount USD [--reference REF]
                  (a top-up is applied once per REF: repeat it with the same REF and it credits once;
                  without --reference each run makes a new one, cli_<uuid>, and credits again)
           update <id> [--name N] [--alert-webhook-url URL|none] [--monthly-budget USD|none] | alerts <id>
usage      [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--key ID] [--account ID] [--model M] [--group-by day,model]
usage export [the same filters] [--file FILE]        CSV of raw events (stdout when no --file)

Environment: ADMIN_TOKEN (else read from .dev.vars), POLYRELAY_URL (default http://localhost:8787).`;

const OPTIONS = {
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  plan: { type: 'string' },
  kind: { type: 'string' },
  scopes: { type: 'string' },
  models: { type: 'string' },
  'models-file': { type: 'string' },
  'max-retries': { type: 'string' },
  billing: { type: 'string' },
  account: { type: 'string' },
  cap: { type: 'string' },
  expires: { type: 'string' },
  id: { type: 'string' },
  protocol: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  'api-key-stdin': { type: 'boolean' },
  priority: { type: 'string' },
  weight: { type: 'string' },
  disabled: { type: 'boolean' },
  input: { type: 'string' },
  output: { type: 'string' },
  'cache-read': { type: 'string' },
  'cache-write': { type: 'string' },
  'per-image': { type: 'string' },
  amount: { type: 'string' },
  reference: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  key: { type: 'string' },
  model: { type: 'string' },
  'group-by': { type: 'string' },
  file: { type: 'string', short: 'o' },
  'per-5h': { type: 'string' },
  'per-week': { type: 'string' },
  'per-minute': { type: 'string' },
  'max-concurrent': { type: 'string' },
  'tokens-per-minute': { type: 'string' },
  'tokens-per-day': { type: 'string' },
  'alert-webhook-url': { type: 'string' },
  'monthly-budget': { type: 'string' },
};

class UsageError extends Error {}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** ADMIN_TOKEN from the environment, else from .dev.vars in the current folder or the project root. */
export const adminToken = (env = process.env, folders = [process.cwd(), root]) => {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  for (const folder of folders) {
    const file = path.join(folder, '.dev.vars');
    if (!existsSync(file)) continue;
    const match = /^\s*ADMIN_TOKEN\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))/m.exec(readFileSync(file, 'utf8'));
    const token = match?.[1] ?? match?.[2] ?? match?.[3];
    if (token) return token;
  }
  throw new UsageError('no admin token: set ADMIN_TOKEN or run from a folder with .dev.vars');
};

const number = (text, flag) => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${flag} must be a number`);
  return value;
};
const list = (text) => (text === undefined ? undefined : text.split(',').map((part) => part.trim()).filter(Boolean));
const required = (value, flag) => {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
};
const positional = (positionals, index, what) => {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
};
const compact = (object) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8').trim();
};

const keyBody = (values, mode) =>
  compact({
    name: values.name,
    kind: values.kind,
    plan: values.plan,
    scopes: list(values.scopes),
    models: values.models === 'all' ? null : list(values.models),
    billing: values.billing,
    accountId: mode === 'create' ? values.account : undefined,
    monthlySpendCap: values.cap === 'none' ? null : number(values.cap, 'cap'),
    expiresAt: values.expires === 'never' ? null : values.expires,
  });

const LIMIT_FLAGS = {
  'per-5h': 'requestsPer5h',
  'per-week': 'requestsPerWeek',
  'per-minute': 'requestsPerMinute',
  'max-concurrent': 'maxConcurrent',
  'tokens-per-minute': 'tokensPerMinute',
  'tokens-per-day': 'tokensPerDay',
};

/** The limit flags as `quotaOverrides` changes: a number, null (none = unlimited) or undefined (plan = drop the override). */
const limitChanges = (values) => {
  const changes = Object.entries(LIMIT_FLAGS).filter(([flag]) => values[flag] !== undefined);
  if (changes.length === 0) return undefined;
  return Object.fromEntries(changes.map(([flag, field]) => [field, values[flag] === 'none' ? null : values[flag] === 'plan' ? undefined : number(values[flag], flag)]));
};

/** PATCH replaces quotaOverrides as a whole: the flags are applied on top of the key's current overrides. */
const mergedOverrides = (current, changes) => compact({ ...(current ?? {}), ...changes });

const modelEntries = (entries) =>
  entries?.map((entry) => {
    const [name, upstream] = entry.split('=');
    return upstream ? { name, upstream } : name;
  });

/** A catalog too long for a flag: the admin API's JSON array, or one name[=upstream] per line. */
const modelsFromFile = (file) => {
  const text = readFileSync(file, 'utf8').trim();
  if (!text.startsWith('[')) return modelEntries(text.split('\n').map((line) => line.trim()).filter(Boolean));
  const entries = JSON.parse(text);
  if (!Array.isArray(entries)) throw new UsageError(`${file}: expected a JSON array of model entries`);
  return entries;
};

const pricesFromFile = (file) => {
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  const prices = Array.isArray(parsed) ? parsed : parsed?.prices;
  if (!Array.isArray(prices)) throw new UsageError(`${file}: expected a JSON array of prices (or {"prices": [...]})`);
  return { prices };
};

const providerBody = async (values, mode) => {
  let apiKey;
  if (values['api-key-env']) apiKey = required(process.env[values['api-key-env']], `api-key-env (${values['api-key-env']} is empty)`);
  if (values['api-key-stdin']) apiKey = await readStdin();
  const models = values['models-file'] === undefined ? modelEntries(list(values.models)) : modelsFromFile(values['models-file']);
  return compact({
    id: mode === 'create' ? required(values.id, 'id') : undefined,
    protocol: mode === 'create' ? required(values.protocol, 'protocol') : values.protocol,
    baseUrl: mode === 'create' ? required(values['base-url'], 'base-url') : values['base-url'],
    apiKey,
    models: mode === 'create' ? required(models, 'models') : models,
    priority: number(values.priority, 'priority'),
    weight: number(values.weight, 'weight'),
    maxRetries: number(values['max-retries'], 'max-retries'),
    enabled: values.disabled ? false : undefined,
  });
};

const usageQuery = (values) =>
  new URLSearchParams(compact({ from: values.from, to: values.to, keyId: values.key, accountId: values.account, model: values.model, groupBy: values['group-by'] })).toString();

/** The admin call (method, path, body) for a command line, or a CSV export. */
const plan = async (positionals, values, getJson) => {
  const [area, action = 'list'] = positionals;
  const id = () => encodeURIComponent(positional(positionals, 2, `${area} id`));
  const routes = {
    keys: {
      list: () => ['GET', '/keys'],
      get: () => ['GET', `/keys/${id()}`],
      create: () => {
        const changes = limitChanges(values);
        return ['POST', '/keys', compact({ ...keyBody(values, 'create'), name: required(values.name, 'name'), quotaOverrides: changes && mergedOverrides({}, changes) })];
      },
      update: async () => {
        const changes = limitChanges(values);
        const current = changes === undefined ? undefined : (await getJson(`/keys/${id()}`)).quotaOverrides;
        return ['PATCH', `/keys/${id()}`, compact({ ...keyBody(values, 'update'), quotaOverrides: changes && mergedOverrides(current, changes) })];
      },
      revoke: () => ['DELETE', `/keys/${id()}`],
      'reset-quota': () => ['POST', `/keys/${id()}/reset-quota`],
    },
    providers: {
      list: () => ['GET', '/providers'],
      get: () => ['GET', `/providers/${id()}`],
      add: async () => ['POST', '/providers', await providerBody(values, 'create')],
      update: async () => ['PATCH', `/providers/${id()}`, await providerBody(values, 'update')],
      enable: () => ['PATCH', `/providers/${id()}`, { enabled: true }],
      disable: () => ['PATCH', `/providers/${id()}`, { enabled: false }],
      delete: () => ['DELETE', `/providers/${id()}`],
    },
    prices: {
      list: () => ['GET', '/prices'],
      get: () => ['GET', `/prices/${id()}`],
      delete: () => ['DELETE', `/prices/${id()}`],
      import: () => ['PUT', '/prices', pricesFromFile(positional(positionals, 2, 'prices file'))],
      set: () => [
        'PUT',
        `/prices/${id()}`,
        compact({
          inputPerMillion: number(required(values.input, 'input'), 'input'),
          outputPerMillion: number(required(values.output, 'output'), 'output'),
          cacheReadPerMillion: number(values['cache-read'], 'cache-read'),
          cacheWritePerMillion: number(values['cache-write'], 'cache-write'),
          perImage: number(values['per-image'], 'per-image'),
        }),
      ],
    },
    accounts: {
      list: () => ['GET', '/accounts?limit=1000'],
      get: () => ['GET', `/accounts/${id()}`],
      ledger: () => ['GET', `/accounts/${id()}/ledger?limit=1000`],
      create: () => ['POST', '/accounts', { name: required(values.name, 'name') }],
      topup: () => ['POST', `/accounts/${id()}/topup`, compact({ amount: number(required(values.amount, 'amount'), 'amount'), reference: values.reference ?? `cli_${randomUUID()}` })],
      update: () => [
        'PATCH',
        `/accounts/${id()}`,
        compact({
          name: values.name,
          alertWebhookUrl: values['alert-webhook-url'] === 'none' ? null : values['alert-webhook-url'],
          monthlyBudget: values['monthly-budget'] === 'none' ? null : number(values['monthly-budget'], 'monthly-budget'),
        }),
      ],
      alerts: () => ['GET', `/accounts/${id()}/alerts`],
    },
    usage: {
      list: () => ['GET', `/usage?${usageQuery(values)}`],
      export: () => ['CSV', `/usage.csv?${usageQuery({ ...values, 'group-by': undefined })}`],
    },
  };
  const command = routes[area]?.[action];
  if (command === undefined) throw new UsageError(`unknown command: ${positionals.join(' ') || '(none)'}`);
  return command();
};

export const main = async (argv = process.argv.slice(2)) => {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    return 0;
  }
  const base = (values.url ?? process.env.POLYRELAY_URL ?? 'http://localhost:8787').replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${adminToken()}` };
  const getJson = async (pathName) => {
    const response = await fetch(`${base}/admin${pathName}`, { headers });
    if (!response.ok) throw new UsageError(`admin GET ${pathName}: HTTP ${response.status}`);
    return response.json();
  };
  const [method, pathName, body] = await plan(positionals, values, getJson);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}/admin${pathName}`, { method: method === 'CSV' ? 'GET' : method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = JSON.parse(text).error?.message ?? text;
    } catch {}
    console.error(`admin ${method} ${pathName}: HTTP ${response.status}: ${message}`);
    return 1;
  }
  if (method === 'CSV') {
    const target = values.file ? createWriteStream(values.file) : process.stdout;
    await pipeline(Readable.fromWeb(response.body), target);
    if (values.file) console.error(`wrote ${values.file}`);
    return 0;
  }
  console.log(JSON.stringify(await response.json(), null, 2));
  return 0;
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof UsageError || error?.code?.startsWith?.('ERR_PARSE_ARGS') ? `${error.message}\n\n${HELP}` : error);
      process.exit(2);
    },
  );
}
