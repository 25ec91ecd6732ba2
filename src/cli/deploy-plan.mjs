// Pure planning for `npm run deploy:setup`: reads wrangler.toml and wrangler's own output, decides what
// is missing, and rewrites binding ids. No process, file or network access here, so it is unit-tested
// on captured wrangler output (test/cli/deploy-plan.test.mjs).

export const DATABASE_NAME = 'polyrelay';
export const KV_TITLE = 'polyrelay-tasks';
export const GENERATED_SECRETS = ['ADMIN_TOKEN', 'ENCRYPTION_KEY', 'WEBHOOK_SECRET'];

const PLACEHOLDER_ID = /^0+$|^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/** wrangler.toml split into its top part and `[table]` / `[[array]]` blocks, text kept exactly. */
const blocksOf = (toml) => {
  const blocks = [];
  let current = { header: '', lines: [] };
  for (const line of toml.split('\n')) {
    if (/^\s*\[/.test(line)) {
      blocks.push(current);
      current = { header: line.trim(), lines: [] };
    }
    current.lines.push(line);
  }
  blocks.push(current);
  return blocks;
};

const valueIn = (lines, field) => {
  for (const line of lines) {
    const match = new RegExp(`^\\s*${field}\\s*=\\s*"([^"]*)"`).exec(line);
    if (match) return match[1];
  }
  return undefined;
};

const bindingBlock = (toml, header, binding) => blocksOf(toml).find((block) => block.header === header && valueIn(block.lines, 'binding') === binding);

/** The id wrangler.toml holds for a binding, or null while it is the placeholder. */
export const configuredId = (toml, header, binding, field) => {
  const block = bindingBlock(toml, header, binding);
  const value = block === undefined ? undefined : valueIn(block.lines, field);
  return value === undefined || PLACEHOLDER_ID.test(value) ? null : value;
};

/** Writes `field = "value"` into the block of that binding; everything else stays byte for byte. */
export const setBindingId = (toml, header, binding, field, value) => {
  const blocks = blocksOf(toml);
  const block = blocks.find((entry) => entry.header === header && valueIn(entry.lines, 'binding') === binding);
  if (block === undefined) throw new Error(`wrangler.toml has no ${header} block with binding = "${binding}"`);
  const index = block.lines.findIndex((line) => new RegExp(`^\\s*${field}\\s*=`).test(line));
  const line = `${field} = "${value}"`;
  if (index >= 0) block.lines[index] = line;
  else block.lines.splice(1, 0, line);
  return blocks.flatMap((entry) => entry.lines).join('\n');
};

/** Every queue wrangler.toml names: producers, consumers and their dead-letter queues. */
export const requiredQueues = (toml) => {
  const names = new Set();
  for (const block of blocksOf(toml)) {
    if (block.header !== '[[queues.producers]]' && block.header !== '[[queues.consumers]]') continue;
    for (const field of ['queue', 'dead_letter_queue']) {
      const value = valueIn(block.lines, field);
      if (value) names.add(value);
    }
  }
  return [...names];
};

/** Every R2 bucket wrangler.toml binds. */
export const requiredBuckets = (toml) =>
  blocksOf(toml).flatMap((block) => (block.header === '[[r2_buckets]]' ? [valueIn(block.lines, 'bucket_name')].filter(Boolean) : []));

/** `wrangler r2 bucket list` prints `name: <bucket>` per bucket. */
export const parseBucketNames = (text) => new Set([...text.matchAll(/^\s*name:\s*(\S+)/gm)].map((match) => match[1]));

const jsonArray = (text) => {
  const start = text.indexOf('[');
  if (start < 0) return [];
  try {
    const value = JSON.parse(text.slice(start));
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
};

/** `wrangler d1 list --json` → [{ name, uuid }]. */
export const parseD1List = (text) => jsonArray(text).filter((row) => typeof row?.name === 'string' && typeof row?.uuid === 'string').map(({ name, uuid }) => ({ name, uuid }));

/** `wrangler d1 create`: the id from its JSON or TOML snippet. */
export const parseD1CreateId = (text) => /database_id"?\s*[:=]\s*"([0-9a-f-]{36})"/i.exec(text)?.[1] ?? null;

/** `wrangler kv namespace list` (JSON) → [{ id, title }]. */
export const parseKvList = (text) => jsonArray(text).filter((row) => typeof row?.id === 'string' && typeof row?.title === 'string').map(({ id, title }) => ({ id, title }));

/** `wrangler kv namespace create`: the 32-hex id from its JSON or TOML snippet. */
export const parseKvCreateId = (text) => /"?id"?\s*[:=]\s*"([0-9a-f]{32})"/i.exec(text)?.[1] ?? null;

/** Which of `wanted` appear as a queue name in `wrangler queues list` (a table; names are whole cells). */
export const parseQueueNames = (text, wanted) =>
  new Set(wanted.filter((name) => new RegExp(`(^|[\\s│|])${name.replace(/[-.]/g, '\\$&')}(?=[\\s│|]|$)`, 'm').test(text)));

/** `wrangler secret list` → names (JSON array of { name }, or one name per line in older output). */
export const parseSecretNames = (text) => {
  const rows = jsonArray(text);
  if (rows.length > 0) return new Set(rows.map((row) => row?.name).filter((name) => typeof name === 'string'));
  return new Set([...text.matchAll(/^\s*"?([A-Z][A-Z0-9_]+)"?\s*[:,]?/gm)].map((match) => match[1]));
};

/** A KV namespace counts as ours under its own title or the `<worker>-<title>` some wrangler versions give it. */
const isOurNamespace = (title) => title === KV_TITLE || title.endsWith(`-${KV_TITLE}`);

/**
 * The steps that bring an account to a deployed relay, given what exists. Each step is
 * { id, description, run?: string[] (wrangler arguments), write?: { header, binding, field, value } }.
 * An unknown listing (null: the list command failed) plans as "nothing exists".
 */
export const planDeploy = ({ toml, d1List, kvList, queuesOutput, bucketsOutput = null, secretNames }) => {
  const steps = [];
  const d1Id = configuredId(toml, '[[d1_databases]]', 'DB', 'database_id');
  const knownDb = (d1List ?? []).find((row) => row.name === DATABASE_NAME);
  if (d1Id !== null && (d1List === null || d1List.some((row) => row.uuid === d1Id))) {
    steps.push({ id: 'd1', description: `D1 database ${d1Id} is configured` });
  } else if (knownDb !== undefined) {
    steps.push({ id: 'd1', description: `use the existing D1 database "${DATABASE_NAME}" (${knownDb.uuid})`, write: { header: '[[d1_databases]]', binding: 'DB', field: 'database_id', value: knownDb.uuid } });
  } else {
    steps.push({ id: 'd1', description: `create the D1 database "${DATABASE_NAME}" and write its id`, run: ['d1', 'create', DATABASE_NAME], parse: 'd1' });
  }

  const kvId = configuredId(toml, '[[kv_namespaces]]', 'TASKS', 'id');
  const knownKv = (kvList ?? []).find((row) => isOurNamespace(row.title));
  if (kvId !== null && (kvList === null || kvList.some((row) => row.id === kvId))) {
    steps.push({ id: 'kv', description: `KV namespace ${kvId} is configured` });
  } else if (knownKv !== undefined) {
    steps.push({ id: 'kv', description: `use the existing KV namespace "${knownKv.title}" (${knownKv.id})`, write: { header: '[[kv_namespaces]]', binding: 'TASKS', field: 'id', value: knownKv.id } });
  } else {
    steps.push({ id: 'kv', description: `create the KV namespace "${KV_TITLE}" and write its id`, run: ['kv', 'namespace', 'create', KV_TITLE], parse: 'kv' });
  }

  const queues = requiredQueues(toml);
  const existing = queuesOutput === null ? new Set() : parseQueueNames(queuesOutput, queues);
  for (const queue of queues) {
    if (existing.has(queue)) steps.push({ id: `queue:${queue}`, description: `queue ${queue} exists` });
    else steps.push({ id: `queue:${queue}`, description: `create the queue ${queue}`, run: ['queues', 'create', queue] });
  }

  const buckets = bucketsOutput === null ? new Set() : parseBucketNames(bucketsOutput);
  for (const bucket of requiredBuckets(toml)) {
    if (buckets.has(bucket)) steps.push({ id: `r2:${bucket}`, description: `R2 bucket ${bucket} exists` });
    else steps.push({ id: `r2:${bucket}`, description: `create the R2 bucket ${bucket}`, run: ['r2', 'bucket', 'create', bucket] });
  }

  steps.push({ id: 'migrations', description: 'apply the D1 migrations remotely', run: ['d1', 'migrations', 'apply', 'DB', '--remote'] });
  steps.push({ id: 'deploy', description: 'deploy the Worker', run: ['deploy'] });
  return [...steps, ...planSecrets(secretNames)];
};

/**
 * Secrets come after the deploy, so the Worker exists (until then, no ADMIN_TOKEN means admin and
 * dashboard are off, never open). Only a successful listing may lead to a `secret put`: a set secret
 * is never replaced, since a new ENCRYPTION_KEY would strand every stored provider key. null (not
 * listed yet) plans a check after the deploy.
 */
export const planSecrets = (secretNames) => {
  if (secretNames === null || secretNames === undefined) {
    return [{ id: 'secrets', description: `set ${GENERATED_SECRETS.join(', ')} where missing (checked after the deploy)`, checkSecrets: true }];
  }
  return GENERATED_SECRETS.map((name) =>
    secretNames.has(name)
      ? { id: `secret:${name}`, description: `secret ${name} is set (kept)` }
      : { id: `secret:${name}`, description: `generate and set the secret ${name}`, run: ['secret', 'put', name], secret: name },
  );
};

/** Only the steps that change something. */
export const pendingSteps = (steps) => steps.filter((step) => step.run !== undefined || step.write !== undefined || step.checkSecrets === true);
