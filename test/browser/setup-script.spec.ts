import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const relayUrl = inject('relayUrl');
const adminToken = inject('adminToken');
const run = promisify(execFile);

let script = '';
let key = '';

beforeAll(async () => {
  script = path.join(await mkdtemp(path.join(tmpdir(), 'polyrelay-setup-')), 'setup.sh');
  const response = await fetch(`${relayUrl}/setup.sh`);
  expect(response.status).toBe(200);
  await writeFile(script, await response.text());
  const created = await fetch(`${relayUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'setup-script', plan: 'unlimited' }),
  });
  key = ((await created.json()) as { key: string }).key;
});

const runSetup = async (home: string, apiKey: string) => {
  try {
    const { stdout, stderr } = await run('sh', [script], { env: { PATH: process.env.PATH ?? '', HOME: home, POLYRELAY_API_KEY: apiKey } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

describe('GET /setup.sh, run by sh', () => {
  it('passes sh -n', async () => {
    await run('sh', ['-n', script]);
  });

  it('checks the key and merges the Claude Code environment into existing settings', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'polyrelay-home-'));
    await mkdir(path.join(home, '.claude'));
    const settings = path.join(home, '.claude', 'settings.json');
    await writeFile(settings, JSON.stringify({ theme: 'dark', env: { KEEP_ME: '1', ANTHROPIC_API_KEY: 'old' } }));
    const result = await runSetup(home, key);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`key accepted by ${relayUrl}`);
    const written = JSON.parse(await readFile(settings, 'utf8')) as { theme: string; env: Record<string, string> };
    expect(written).toEqual({ theme: 'dark', env: { KEEP_ME: '1', ANTHROPIC_BASE_URL: relayUrl, ANTHROPIC_AUTH_TOKEN: key } });
    expect((await stat(settings)).mode & 0o777).toBe(0o600);
  });

  it('refuses a key the relay does not accept, writing nothing', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'polyrelay-home-'));
    const result = await runSetup(home, 'sk-relay-not-a-real-key');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused this key');
    await expect(stat(path.join(home, '.claude', 'settings.json'))).rejects.toThrow();
  });
});
