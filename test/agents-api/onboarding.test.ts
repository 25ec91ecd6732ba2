import { describe, expect, it } from 'vitest';
import { fetchApp, login, unescapeHtml } from '../dashboard/helpers';
import { admin } from '../setup/seed';

describe('agent keys in the docs page, setup.sh and the dashboard', () => {
  it('shows OpenClaw and Hermes Agent configs on the agent base URL', async () => {
    const html = unescapeHtml(await (await fetchApp('/docs')).text());
    expect(html).toContain('<code id="agent-base-url">https://relay.test/api/v1/agents</code>');
    expect(html).toContain('id="agents-openclaw"');
    expect(html).toContain('"baseUrl": "https://relay.test/api/v1/agents"');
    expect(html).toContain('"api": "openai-completions"');
    expect(html).toContain('id="agents-hermes"');
    expect(html).toContain('base_url: https://relay.test/api/v1/agents');
    expect(html).toContain('api_key: ${POLYRELAY_AGENT_KEY}');
  });

  it('serves a setup.sh that configures OpenClaw and Hermes Agent for an agent key', async () => {
    const script = await (await fetchApp('/setup.sh')).text();
    expect(script).toContain(`'sk-relay-agent-'*)`);
    expect(script).toContain('AGENTS="$RELAY/api/v1/agents"');
    expect(script).toContain('"polyrelay-agents"');
    expect(script).toContain('api_mode: chat_completions');
  });

  it('names the agent API in the discovery document', async () => {
    const discovery = (await (await fetchApp('/.well-known/polyrelay.json')).json()) as { agent_api: { base_url: string; key_prefix: string } };
    expect(discovery.agent_api).toMatchObject({ base_url: 'https://relay.test/api/v1/agents', key_prefix: 'sk-relay-agent-' });
  });

  it('creates an agent key from the dashboard form and says where it works', async () => {
    const session = await login();
    const page = await session.get('/dashboard/keys');
    expect(await page.text()).toContain('<select name="kind">');
    const response = await session.post('/dashboard/keys', { name: 'dash-agent', kind: 'agent', plan: 'max20x', billing: 'subscription', scopes: ['chat'] });
    expect(response.status).toBe(201);
    const html = await response.text();
    expect(html).toMatch(/<code id="new-key-plaintext">sk-relay-agent-[A-Za-z0-9]{40}<\/code>/);
    expect(html).toContain('<code>https://relay.test/api/v1/agents</code>');
    expect(html).toContain('agent key · ');
    const refused = await session.post('/dashboard/keys', { name: 'dash-agent-free', kind: 'agent', plan: 'free', billing: 'subscription', scopes: ['chat'] });
    expect(refused.status).toBe(303);
    expect(decodeURIComponent(refused.headers.get('location') ?? '')).toContain('does not include the agent API');
    const keys = (await (await admin('GET', '/keys')).json()) as { data: Array<{ name: string; kind: string }> };
    expect(keys.data.find((key) => key.name === 'dash-agent')?.kind).toBe('agent');
  });
});
