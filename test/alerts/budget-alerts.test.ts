import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { thresholdsCrossedAt, thresholdsReached } from '../../src/alerts/thresholds';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, admin, createKey, jsonPost } from '../setup/seed';
import { usageEvent } from '../usage/harness';

interface Received {
  headers: Record<string, string>;
  body: Record<string, unknown>;
  raw: string;
}

const receiver = (origin: string) => {
  const received: Received[] = [];
  installFakeUpstreams({
    [origin]: async (request) => {
      const raw = await request.text();
      received.push({ headers: Object.fromEntries(request.headers), body: JSON.parse(raw) as Record<string, unknown>, raw });
      return new Response(null, { status: 204 });
    },
  });
  const settle = async (count: number) => {
    for (let i = 0; i < 100 && received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    // Give a duplicate, if any, the time to arrive too.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return received;
  };
  return { received, settle };
};

const hmacHex = async (secret: string, message: string): Promise<string> => {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Array.from(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message))), (byte) => byte.toString(16).padStart(2, '0')).join('');
};

let sequence = 0;
const consume = async (events: readonly UsageEvent[]) => {
  const batch = createMessageBatch<UsageEvent>('polyrelay-usage', events.map((body) => ({ id: `alert_msg_${sequence++}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await consumeUsageBatch(batch, env);
  await getQueueResult(batch, ctx);
};

const spend = (key: { id: string; accountId: string }, micros: number): UsageEvent =>
  usageEvent({ accountId: key.accountId, keyId: key.id, model: 'alert-model', costMicros: micros });

describe('budget alert settings', () => {
  it('PATCH /admin/accounts/:id sets alertWebhookUrl and monthlyBudget, checks the URL and names the accepted fields', async () => {
    const account = (await (await admin('POST', '/accounts', { name: 'Alert settings' })).json()) as { id: string };
    const ok = await admin('PATCH', `/accounts/${account.id}`, { alertWebhookUrl: 'https://hooks.example.com/budget', monthlyBudget: 25 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ alertWebhookUrl: 'https://hooks.example.com/budget', monthlyBudget: 25 });
    const badScheme = await admin('PATCH', `/accounts/${account.id}`, { alertWebhookUrl: 'ftp://hooks.example.com/x' });
    expect(badScheme.status).toBe(400);
    expect(await badScheme.text()).toContain('alertWebhookUrl: URL must be http or https');
    const cleared = await admin('PATCH', `/accounts/${account.id}`, { alertWebhookUrl: null, monthlyBudget: null });
    expect(await cleared.json()).toMatchObject({ alertWebhookUrl: null, monthlyBudget: null });
    expect((await admin('PATCH', '/accounts/acct_missing_alerts', { monthlyBudget: 1 })).status).toBe(404);
    const unknown = await admin('PATCH', `/accounts/${account.id}`, { alertUrl: 'https://hooks.example.com/x' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('body: unknown field(s) \\"alertUrl\\"; accepted fields: name, alertWebhookUrl, monthlyBudget');
    const nested = await admin('POST', '/keys', { name: 'n', quotaOverrides: { requestsPerHour: 3 } });
    expect(await nested.text()).toContain('accepted fields: requestsPer5h, requestsPerWeek, requestsPerMinute, maxConcurrent');
  });
});

describe('spend alerts from the usage consumer', () => {
  it('posts 50, 80 and 100 % of the account budget once each per month, signed with the account secret', async () => {
    const { received, settle } = receiver('http://alerts-spend.fake');
    const key = await createKey({ name: 'alert-spend' });
    await admin('PATCH', `/accounts/${key.accountId}`, { alertWebhookUrl: 'http://alerts-spend.fake/hook', monthlyBudget: 1 });

    await consume([spend(key, 300_000)]);
    expect(await settle(0)).toHaveLength(0);
    await consume([spend(key, 300_000)]);
    await settle(1);
    expect(received.map((entry) => entry.body.threshold_percent)).toEqual([50]);
    const first = received[0];
    expect(first?.body).toMatchObject({ type: 'budget.threshold_crossed', subject: 'account_spend', account_id: key.accountId, key_id: null, spent: '0.60', limit: '1.00' });

    const { webhookSecret } = (await (await admin('GET', `/accounts/${key.accountId}`)).json()) as { webhookSecret: string };
    const alertId = String(first?.body.alert_id);
    expect(first?.headers['x-polyrelay-alert-id']).toBe(alertId);
    expect(first?.headers['x-polyrelay-signature']).toBe(await hmacHex(webhookSecret, `${first?.headers['x-polyrelay-timestamp']}.${alertId}.${first?.raw}`));

    // Past 80 and 100 in one batch: both go out, and a later batch (or a redelivered one) sends nothing again.
    await consume([spend(key, 500_000)]);
    await settle(3);
    await consume([spend(key, 10_000)]);
    const all = await settle(3);
    expect(all.map((entry) => entry.body.threshold_percent).sort()).toEqual([100, 50, 80]);
    const rows = (await (await admin('GET', `/accounts/${key.accountId}/alerts`)).json()) as { data: Array<{ state: string; thresholdPercent: number }> };
    expect(rows.data.map((row) => row.state)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it("alerts on a key's monthly spend cap, and stays silent for an account without an alert URL", async () => {
    const { settle } = receiver('http://alerts-cap.fake');
    const capped = await createKey({ name: 'alert-cap', monthlySpendCap: 2 });
    await admin('PATCH', `/accounts/${capped.accountId}`, { alertWebhookUrl: 'http://alerts-cap.fake/hook' });
    const silent = await createKey({ name: 'alert-silent', monthlySpendCap: 1 });
    await consume([spend(capped, 1_700_000), spend(silent, 5_000_000)]);
    const received = await settle(2);
    expect(received.map((entry) => [entry.body.subject, entry.body.key_id, entry.body.threshold_percent])).toEqual(
      expect.arrayContaining([
        ['key_spend', capped.id, 50],
        ['key_spend', capped.id, 80],
      ]),
    );
    expect(received).toHaveLength(2);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM budget_alerts WHERE account_id = ?1').bind(silent.accountId).first('n')).toBe(0);
  });
});

describe('quota window alerts', () => {
  it('posts 80 % and 100 % of the 5-hour window once, from the admissions that crossed them', async () => {
    await addMockProvider();
    const { settle } = receiver('http://alerts-quota.fake');
    const key = await createKey({ name: 'alert-quota', plan: 'pro', quotaOverrides: { requestsPer5h: 5, requestsPerWeek: 1000 } });
    await admin('PATCH', `/accounts/${key.accountId}`, { alertWebhookUrl: 'http://alerts-quota.fake/hook' });
    for (let index = 0; index < 6; index++) {
      const response = await jsonPost('/v1/chat/completions', key.key, { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] });
      await response.text();
      expect(response.status).toBe(index < 5 ? 200 : 429);
    }
    const received = await settle(2);
    expect(received.map((entry) => [entry.body.subject, entry.body.threshold_percent, entry.body.requests_used, entry.body.requests_limit])).toEqual([
      ['key_quota_5h', 80, 4, 5],
      ['key_quota_5h', 100, 5, 5],
    ]);
  });

  it('threshold maths is exact', () => {
    expect(thresholdsReached(50, 100, [50, 80, 100])).toEqual([50]);
    expect(thresholdsReached(49, 100, [50, 80, 100])).toEqual([]);
    expect(thresholdsCrossedAt(4, 5, [80, 100])).toEqual([80]);
    expect(thresholdsCrossedAt(3, 5, [80, 100])).toEqual([]);
    expect(thresholdsCrossedAt(5, 5, [80, 100])).toEqual([100]);
    expect(thresholdsCrossedAt(1, 1, [80, 100])).toEqual([80, 100]);
  });
});
