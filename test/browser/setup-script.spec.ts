import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const relayUrl = inject('relayUrl');
const adminToken = inject('adminToken');
const run = promisify(execFile);

let script = '';

const createKey = async (body: Record<string, unknown>): Promise<string> => {
  const created = await fetch(`${relayUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ plan: 'unlimited', ...body }),
  });
  return ((await created.json()) as { key: string }).key;
};

beforeAll(async () => {
  script = path.join(await mkdtemp(path.join(tmpdir(), 'polyrelay-setup-')), 'setup.sh');
  const response = await fetch(`${relayUrl}/setup.sh`);
  expect(response.status).toBe(200);
  await writeFile(script, await response.text());
});

const home = () => mkdtemp(path.join(tmpdir(), 'polyrelay-home-'));

/**
 * The script under dash (Debian's /bin/sh), as `curl … | sh` runs it: stdin not a terminal, and no
 * controlling terminal either (detached: a new session), so /dev/tty cannot be opened.
 */
const runSetup = (homeDir: string, extraEnv: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('dash', [script], { env: { PATH: process.env.PATH ?? '', HOME: homeDir, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as { theme?: string; env: Record<string, string> };

describe('GET /setup.sh, run by dash', () => {
  it('passes dash -n', async () => {
    await run('dash', ['-n', script]);
  });

  it('picks models the key can use for Claude Code and merges them into existing settings', async () => {
    const dir = await home();
    const key = await createKey({ name: 'setup-models', models: ['mock-sonnet-setup', 'mock-haiku-setup'] });
    await mkdir(path.join(dir, '.claude'));
    const settings = path.join(dir, '.claude', 'settings.json');
    await writeFile(settings, JSON.stringify({ theme: 'dark', env: { KEEP_ME: '1', ANTHROPIC_API_KEY: 'old' } }));
    const result = await runSetup(dir, { POLYRELAY_API_KEY: key });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`key accepted by ${relayUrl}`);
    expect(await readJson(settings)).toEqual({
      theme: 'dark',
      env: {
        KEEP_ME: '1',
        ANTHROPIC_BASE_URL: relayUrl,
        ANTHROPIC_AUTH_TOKEN: key,
        ANTHROPIC_MODEL: 'mock-sonnet-setup',
        ANTHROPIC_DEFAULT_OPUS_MODEL: 'mock-sonnet-setup',
        ANTHROPIC_DEFAULT_SONNET_MODEL: 'mock-sonnet-setup',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'mock-haiku-setup',
        ANTHROPIC_SMALL_FAST_MODEL: 'mock-haiku-setup',
      },
    });
    expect((await stat(settings)).mode & 0o777).toBe(0o600);
    // The chosen models really answer through the relay.
    const answer = await fetch(`${relayUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-haiku-setup', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).toBe(200);
  });

  it('adds a polyrelay provider to Codex CLI config.toml, keeping other tables, the same on a second run', async () => {
    const dir = await home();
    const key = await createKey({ name: 'setup-codex', models: ['mock-sonnet-codex'] });
    await mkdir(path.join(dir, '.codex'));
    const config = path.join(dir, '.codex', 'config.toml');
    await writeFile(config, 'model = "gpt-old"\napproval_policy = "on-request"\n\n[profiles.fast]\nmodel = "kept"\n\n[model_providers.polyrelay]\nbase_url = "http://stale.example/v1"\n\n[model_providers.other]\nname = "other"\n');
    expect((await runSetup(dir, { POLYRELAY_API_KEY: key })).code).toBe(0);
    const first = await readFile(config, 'utf8');
    expect(first).toBe(
      `approval_policy = "on-request"\nmodel_provider = "polyrelay"\nmodel = "mock-sonnet-codex"\n\n[profiles.fast]\nmodel = "kept"\n\n[model_providers.other]\nname = "other"\n\n` +
        `[model_providers.polyrelay]\nname = "polyrelay"\nbase_url = "${relayUrl}/v1"\nenv_key = "POLYRELAY_API_KEY"\nwire_api = "responses"\nsupports_websockets = true\n`,
    );
    expect((await runSetup(dir, { POLYRELAY_API_KEY: key })).code).toBe(0);
    expect(await readFile(config, 'utf8')).toBe(first);
  });

  it('stops with a clear message when the key has only wildcard routes, and takes POLYRELAY_MODEL then', async () => {
    const dir = await home();
    const key = await createKey({ name: 'setup-wildcard' });
    const refused = await runSetup(dir, { POLYRELAY_API_KEY: key });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('wildcard routes only (mock-*)');
    expect(refused.stderr).toContain('POLYRELAY_MODEL=mock-1');
    await expect(stat(path.join(dir, '.claude', 'settings.json'))).rejects.toThrow();

    const chosen = await runSetup(dir, { POLYRELAY_API_KEY: key, POLYRELAY_MODEL: 'mock-1' });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect((await readJson(path.join(dir, '.claude', 'settings.json'))).env).toMatchObject({ ANTHROPIC_MODEL: 'mock-1', ANTHROPIC_SMALL_FAST_MODEL: 'mock-1' });
    expect(await readFile(path.join(dir, '.codex', 'config.toml'), 'utf8')).toContain('model = "mock-1"');
  });

  it('explains itself when piped into sh with no key and no terminal (it exited 2 silently)', async () => {
    const dir = await home();
    const result = await runSetup(dir, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no terminal to ask for the key on');
    expect(result.stderr).toContain(`curl -fsSL ${relayUrl}/setup.sh | POLYRELAY_API_KEY=sk-relay-... sh`);
  });

  it('refuses a key the relay does not accept, writing nothing', async () => {
    const dir = await home();
    const result = await runSetup(dir, { POLYRELAY_API_KEY: 'sk-relay-not-a-real-key' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused this key');
    await expect(stat(path.join(dir, '.claude', 'settings.json'))).rejects.toThrow();
    await expect(stat(path.join(dir, '.codex', 'config.toml'))).rejects.toThrow();
  });
});
