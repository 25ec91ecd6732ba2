import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const relayUrl = inject('relayUrl');
const adminToken = inject('adminToken');
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = async (args: string[], env: Record<string, string> = { ADMIN_TOKEN: adminToken }, cwd = process.cwd()): Promise<CliResult> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.resolve('src/cli/admin.mjs'), '--url', relayUrl, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

describe('npm run admin', () => {
  it('creates, lists, updates and revokes keys', async () => {
    const created = await cli(['keys', 'create', '--name', 'cli-key', '--plan', 'pro', '--scopes', 'chat,images', '--models', 'mock-1', '--cap', '5']);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; plan: string; scopes: string[]; models: string[]; monthlySpendCap: number };
    expect(key).toMatchObject({ plan: 'pro', scopes: ['chat', 'images'], models: ['mock-1'], monthlySpendCap: 5 });
    expect(key.key).toMatch(/^sk-relay-/);
    const listed = await cli(['keys', 'list']);
    expect(listed.stdout).toContain(key.id);
    expect(listed.stdout).not.toContain(key.key);
    const updated = JSON.parse((await cli(['keys', 'update', key.id, '--models', 'all', '--cap', 'none'])).stdout) as { models: null; monthlySpendCap: null };
    expect(updated).toMatchObject({ models: null, monthlySpendCap: null });
    const revoked = JSON.parse((await cli(['keys', 'revoke', key.id])).stdout) as { revokedAt: string | null };
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('sets burst, concurrency and token limits on keys, and alert settings on accounts', async () => {
    const created = await cli(['keys', 'create', '--name', 'cli-limits', '--plan', 'pro', '--per-minute', '30', '--max-concurrent', '2', '--tokens-per-minute', '20000']);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; accountId: string; quotaOverrides: Record<string, number | null> };
    expect(key.quotaOverrides).toEqual({ requestsPerMinute: 30, maxConcurrent: 2, tokensPerMinute: 20_000 });
    // Only the flags given change: the other overrides are kept, `none` is unlimited, `plan` drops the override.
    const updated = await cli(['keys', 'update', key.id, '--per-5h', 'none', '--max-concurrent', 'plan', '--tokens-per-day', '1000000', '--tokens-per-minute', 'plan']);
    expect(JSON.parse(updated.stdout).quotaOverrides).toEqual({ requestsPerMinute: 30, requestsPer5h: null, tokensPerDay: 1_000_000 });
    const account = await cli(['accounts', 'update', key.accountId, '--alert-webhook-url', 'https://hooks.example.com/budget', '--monthly-budget', '40']);
    expect(account.code, account.stderr).toBe(0);
    expect(JSON.parse(account.stdout)).toMatchObject({ alertWebhookUrl: 'https://hooks.example.com/budget', monthlyBudget: 40 });
    expect(JSON.parse((await cli(['accounts', 'alerts', key.accountId])).stdout)).toEqual({ object: 'list', data: [] });
  });

  it('manages providers with the upstream key from an environment variable, never echoing it', async () => {
    const added = await cli(['providers', 'add', '--id', 'cli-upstream', '--protocol', 'openai-chat', '--base-url', 'https://api.example.com/v1', '--models', 'cli-model,fast=cli-model-mini', '--api-key-env', 'CLI_UPSTREAM_KEY'], {
      ADMIN_TOKEN: adminToken,
      CLI_UPSTREAM_KEY: 'sk-cli-upstream-secret',
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain('sk-cli-upstream-secret');
    expect(JSON.parse(added.stdout)).toMatchObject({ hasApiKey: true, models: ['cli-model', { name: 'fast', upstream: 'cli-model-mini' }] });
    expect(JSON.parse((await cli(['providers', 'disable', 'cli-upstream'])).stdout)).toMatchObject({ enabled: false });
    expect((await cli(['providers', 'delete', 'cli-upstream'])).code).toBe(0);
  });

  it('sets prices and exports usage as CSV', async () => {
    const price = await cli(['prices', 'set', 'vendor/cli-model', '--input', '3', '--output', '15']);
    expect(JSON.parse(price.stdout)).toMatchObject({ model: 'vendor/cli-model', inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 3 });
    const folder = await mkdtemp(path.join(tmpdir(), 'polyrelay-cli-'));
    const file = path.join(folder, 'usage.csv');
    const exported = await cli(['usage', 'export', '--from', '2020-01-01', '--file', file]);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await readFile(file, 'utf8')).split('\r\n')[0]).toMatch(/^request_id,created_at,account_id,key_id,model,/);
    const report = JSON.parse((await cli(['usage', '--group-by', 'model'])).stdout) as { object: string };
    expect(report.object).toBe('usage_report');
  });

  it('reads ADMIN_TOKEN from .dev.vars, and fails clearly on a bad token or command', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'polyrelay-cli-'));
    await writeFile(path.join(folder, '.dev.vars'), `ENCRYPTION_KEY="x"\nADMIN_TOKEN="${adminToken}"\n`);
    const fromFile = await cli(['accounts', 'create', '--name', 'CLI Co'], {}, folder);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const account = JSON.parse(fromFile.stdout) as { id: string };
    const topup = JSON.parse((await cli(['accounts', 'topup', account.id, '--amount', '10', '--reference', 'cli-1'])).stdout) as { outcome: string };
    expect(topup.outcome).toBe('applied');
    const again = JSON.parse((await cli(['accounts', 'topup', account.id, '--amount', '10', '--reference', 'cli-1'])).stdout) as { outcome: string };
    expect(again.outcome).not.toBe('applied');
    // Without --reference the CLI names the top-up itself (the API refuses one without a reference).
    const unnamed = await cli(['accounts', 'topup', account.id, '--amount', '5']);
    expect(unnamed.code, unnamed.stderr).toBe(0);
    expect(JSON.parse(unnamed.stdout)).toMatchObject({ outcome: 'applied' });
    const wrong = await cli(['keys', 'list'], { ADMIN_TOKEN: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HTTP 401');
    const unknown = await cli(['keys', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });
});
