import { env } from 'cloudflare:workers';
import { addMockProvider, admin, callRelay, createKey, jsonPost, type CreatedKey } from '../setup/seed';

export const AGENTS = '/api/v1/agents';
export const ANTHROPIC = { 'anthropic-version': '2023-06-01' };

export const chatBody = (model = 'mock-agent') => ({ model, messages: [{ role: 'user', content: 'hi' }] });
export const responsesBody = (model = 'mock-agent') => ({ model, input: 'hi' });
export const messagesBody = (model = 'mock-agent') => ({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

export const createAgentKey = async (options: Record<string, unknown> = {}): Promise<CreatedKey> => {
  await addMockProvider();
  return createKey({ kind: 'agent', plan: 'pro', ...options });
};

export const getModels = (path: string, key: string): Promise<Response> => callRelay(path, { headers: { authorization: `Bearer ${key}` } });

/** A plan with agent access and a tiny 5-hour window, so a test can run an account's window out. */
export const useTinyAgentPlan = async (keyIds: string[], requestsPer5h: number): Promise<void> => {
  const plan = `agent-tiny-${requestsPer5h}`;
  await env.DB.prepare('INSERT INTO plans (id, requests_per_5h, requests_per_week, agent_access) VALUES (?1, ?2, 1000, 1) ON CONFLICT (id) DO NOTHING').bind(plan, requestsPer5h).run();
  for (const id of keyIds) await env.DB.prepare('UPDATE api_keys SET plan_id = ?1 WHERE id = ?2').bind(plan, id).run();
};

export const errorBody = async (response: Response) => (await response.json()) as { error: { code?: string | null; type?: string; message: string; status?: string } };

export { admin, callRelay, jsonPost };
