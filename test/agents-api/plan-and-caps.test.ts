import { describe, expect, it } from 'vitest';
import { admin, createKey } from '../setup/seed';
import { AGENTS, ANTHROPIC, chatBody, createAgentKey, errorBody, jsonPost, messagesBody } from './helpers';

describe('agent keys need a plan with agent access and take no per-key caps', () => {
  it('refuses to create an agent key on free (or the default plan) with 403 agent_plan_required', async () => {
    for (const body of [{ name: 'a', kind: 'agent', plan: 'free' }, { name: 'a', kind: 'agent' }]) {
      const response = await admin('POST', '/keys', body);
      expect(response.status).toBe(403);
      expect((await errorBody(response)).error.code).toBe('agent_plan_required');
    }
    for (const plan of ['pro', 'max5x', 'max20x']) expect((await admin('POST', '/keys', { name: 'a', kind: 'agent', plan })).status, plan).toBe(201);
  });

  it('stops an agent key whose plan drops to free on every request, in the caller format', async () => {
    const { id, key } = await createAgentKey();
    const before = await jsonPost(`${AGENTS}/chat/completions`, key, chatBody());
    expect(before.status).toBe(200);
    await before.body?.cancel();
    expect((await admin('PATCH', `/keys/${id}`, { plan: 'free' })).status).toBe(200);
    const chat = await jsonPost(`${AGENTS}/chat/completions`, key, chatBody());
    expect(chat.status).toBe(403);
    expect((await errorBody(chat)).error.code).toBe('agent_plan_required');
    const messages = await jsonPost(`${AGENTS}/messages`, key, messagesBody(), ANTHROPIC);
    expect(messages.status).toBe(403);
    expect(((await messages.json()) as { error: { type: string; message: string } }).error.message).toContain('does not include the agent API');
    expect((await admin('PATCH', `/keys/${id}`, { plan: 'max5x' })).status).toBe(200);
    const again = await jsonPost(`${AGENTS}/chat/completions`, key, chatBody());
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it('refuses a spend cap, quota overrides or prepaid billing on an agent key with 400', async () => {
    for (const extra of [{ monthlySpendCap: 5 }, { quotaOverrides: { requestsPer5h: 10 } }, { billing: 'prepaid' }]) {
      const response = await admin('POST', '/keys', { name: 'a', kind: 'agent', plan: 'pro', ...extra });
      expect(response.status, JSON.stringify(extra)).toBe(400);
    }
    const { id } = await createAgentKey();
    const capped = await admin('PATCH', `/keys/${id}`, { monthlySpendCap: 5 });
    expect(capped.status).toBe(400);
    expect((await errorBody(capped)).error.message).toContain('spend cap');
    expect((await admin('PATCH', `/keys/${id}`, { monthlySpendCap: null })).status).toBe(200);
  });

  it('turns an inference key into an agent key only when its plan and caps allow it', async () => {
    const free = await createKey({ plan: 'free' });
    const refused = await admin('PATCH', `/keys/${free.id}`, { kind: 'agent' });
    expect(refused.status).toBe(403);
    expect((await errorBody(refused)).error.code).toBe('agent_plan_required');
    const capped = await createKey({ plan: 'pro', monthlySpendCap: 3 });
    expect((await admin('PATCH', `/keys/${capped.id}`, { kind: 'agent' })).status).toBe(400);
    const converted = await admin('PATCH', `/keys/${capped.id}`, { kind: 'agent', monthlySpendCap: null });
    expect(converted.status).toBe(200);
    expect(((await converted.json()) as { kind: string }).kind).toBe('agent');
  });
});
