import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN, callRelay } from '../setup/seed';
import { unescapeHtml, login } from '../dashboard/helpers';

const newAccount = async (name: string): Promise<string> => {
  const response = await admin('POST', '/accounts', { name });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
};

const balanceOf = async (accountId: string): Promise<number> =>
  (await env.DB.prepare('SELECT balance_micros FROM accounts WHERE id = ?1').bind(accountId).first<{ balance_micros: number }>())?.balance_micros ?? Number.NaN;

const topupWithHeader = (accountId: string, idempotencyKey: string, body: Record<string, unknown>): Promise<Response> =>
  callRelay(`/admin/accounts/${accountId}/topup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });

describe('top-ups are idempotent', () => {
  it('refuses a top-up with neither a reference nor an Idempotency-Key (400 naming the field), crediting nothing', async () => {
    const account = await newAccount('No Reference Co');
    const response = await admin('POST', `/accounts/${account}/topup`, { amount: 5 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; param: string } };
    expect(body.error.param).toBe('reference');
    expect(body.error.message).toContain('Idempotency-Key');
    expect(await balanceOf(account)).toBe(0);
  });

  it('the same top-up sent twice with one Idempotency-Key credits once', async () => {
    const account = await newAccount('Retry Co');
    const first = await topupWithHeader(account, 'retry-7f3a', { amount: 5 });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ outcome: 'applied', reference: 'retry-7f3a' });
    const second = await topupWithHeader(account, 'retry-7f3a', { amount: 5 });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ outcome: 'duplicate' });
    // The header and the body's reference name the same entry.
    expect((await admin('POST', `/accounts/${account}/topup`, { amount: 5, reference: 'retry-7f3a' })).status).toBe(200);
    expect(await balanceOf(account)).toBe(5_000_000);

    const mismatch = await topupWithHeader(account, 'retry-other', { amount: 5, reference: 'retry-7f3a' });
    expect(mismatch.status).toBe(400);
    expect((await topupWithHeader(account, 'not a reference!', { amount: 5 })).status).toBe(400);
    expect(await balanceOf(account)).toBe(5_000_000);
  });

  it('a double submit of the dashboard form credits once; a new rendering of the form is a new top-up', async () => {
    const account = await newAccount('Double Click Co');
    const session = await login();
    const renderReference = async (): Promise<string> => {
      const page = unescapeHtml(await (await session.get(`/dashboard/accounts/${account}`)).text());
      const match = /name="renderReference" value="([^"]+)"/.exec(page);
      if (!match?.[1]) throw new Error('the top-up form carries no per-render reference');
      return match[1];
    };
    const rendered = await renderReference();
    const [first, second] = await Promise.all([
      session.post(`/dashboard/accounts/${account}/topup`, { amount: '7', renderReference: rendered }),
      session.post(`/dashboard/accounts/${account}/topup`, { amount: '7', renderReference: rendered }),
    ]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(await balanceOf(account)).toBe(7_000_000);

    const again = await renderReference();
    expect(again).not.toBe(rendered);
    await session.post(`/dashboard/accounts/${account}/topup`, { amount: '7', renderReference: again });
    expect(await balanceOf(account)).toBe(14_000_000);
  });
});
