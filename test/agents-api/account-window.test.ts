import { describe, expect, it } from 'vitest';
import { admin, createKey } from '../setup/seed';
import { AGENTS, ANTHROPIC, chatBody, createAgentKey, errorBody, jsonPost, messagesBody, responsesBody, useTinyAgentPlan } from './helpers';

const used = async (response: Response): Promise<string | null> => {
  await response.body?.cancel();
  return response.headers.get('x-ratelimit-remaining');
};

describe("one 5-hour and weekly window per account for all its agent keys", () => {
  it('counts two agent keys of one account against the same window and refuses both once it is spent', async () => {
    const first = await createAgentKey();
    const second = await createAgentKey({ accountId: first.accountId });
    await useTinyAgentPlan([first.id, second.id], 3);
    expect(await used(await jsonPost(`${AGENTS}/chat/completions`, first.key, chatBody()))).toBe('2');
    const fromSecond = await jsonPost(`${AGENTS}/responses`, second.key, responsesBody());
    expect(fromSecond.status).toBe(200);
    expect(Number(fromSecond.headers.get('x-codex-primary-used-percent'))).toBeCloseTo(66.7, 0);
    expect(await used(fromSecond)).toBe('1');
    const last = await jsonPost(`${AGENTS}/messages`, first.key, messagesBody(), ANTHROPIC);
    expect(last.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed_warning');
    expect(await used(last)).toBe('0');
    const refused = await jsonPost(`${AGENTS}/chat/completions`, second.key, chatBody());
    expect(refused.status).toBe(429);
    expect((await errorBody(refused)).error.code).toBe('rate_limit_exceeded');
    const refusedMessages = await jsonPost(`${AGENTS}/messages`, second.key, messagesBody(), ANTHROPIC);
    expect(refusedMessages.status).toBe(429);
    expect(refusedMessages.headers.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    await refusedMessages.body?.cancel();
  });

  it("keeps an inference key of the same account on its own window, and other accounts' agent keys apart", async () => {
    const agent = await createAgentKey();
    await useTinyAgentPlan([agent.id], 1);
    const inference = await createKey({ plan: 'pro', accountId: agent.accountId });
    const other = await createAgentKey();
    await useTinyAgentPlan([other.id], 1);
    expect((await jsonPost(`${AGENTS}/chat/completions`, agent.key, chatBody())).status).toBe(200);
    expect((await jsonPost(`${AGENTS}/chat/completions`, agent.key, chatBody())).status).toBe(429);
    const own = await jsonPost('/v1/chat/completions', inference.key, chatBody());
    expect(own.status).toBe(200);
    expect(own.headers.get('x-ratelimit-remaining')).toBe('399');
    expect((await jsonPost(`${AGENTS}/chat/completions`, other.key, chatBody())).status).toBe(200);
  });

  it("leaves the account's other agent keys working when one is revoked, the window still shared", async () => {
    const first = await createAgentKey();
    const second = await createAgentKey({ accountId: first.accountId });
    await useTinyAgentPlan([first.id, second.id], 5);
    expect(await used(await jsonPost(`${AGENTS}/chat/completions`, first.key, chatBody()))).toBe('4');
    expect((await admin('DELETE', `/keys/${first.id}`)).status).toBe(200);
    const revoked = await jsonPost(`${AGENTS}/chat/completions`, first.key, chatBody());
    expect(revoked.status).toBe(401);
    await revoked.body?.cancel();
    const still = await jsonPost(`${AGENTS}/chat/completions`, second.key, chatBody());
    expect(still.status).toBe(200);
    expect(await used(still)).toBe('3');
  });

  it('resets the account window from either agent key (admin reset-quota)', async () => {
    const first = await createAgentKey();
    const second = await createAgentKey({ accountId: first.accountId });
    await useTinyAgentPlan([first.id, second.id], 1);
    expect((await jsonPost(`${AGENTS}/chat/completions`, first.key, chatBody())).status).toBe(200);
    expect((await jsonPost(`${AGENTS}/chat/completions`, second.key, chatBody())).status).toBe(429);
    expect((await admin('POST', `/keys/${first.id}/reset-quota`)).status).toBe(200);
    expect((await jsonPost(`${AGENTS}/chat/completions`, second.key, chatBody())).status).toBe(200);
  });
});
