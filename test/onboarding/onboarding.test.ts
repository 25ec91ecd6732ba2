import { describe, expect, it } from 'vitest';
import { fetchApp, unescapeHtml } from '../dashboard/helpers';

const pageText = async (url: string): Promise<string> => {
  const response = await fetchApp(url);
  expect(response.status, url).toBe(200);
  return unescapeHtml(await response.text());
};

describe('onboarding page', () => {
  it.each(['https://relay.example.com', 'http://localhost:8787', 'https://10.0.0.5:8443'])('fills %s into every config', async (origin) => {
    for (const path of ['/', '/docs']) {
      const html = await pageText(`${origin}${path}`);
      expect(html).toContain(`export ANTHROPIC_BASE_URL="${origin}"`);
      expect(html).toContain(`"ANTHROPIC_BASE_URL": "${origin}"`);
      expect(html).toContain(`curl -fsSL ${origin}/setup.sh | sh`);
      // Codex CLI
      expect(html).toContain('~/.codex/config.toml');
      expect(html).toContain(`base_url = "${origin}/v1"`);
      expect(html).toContain('wire_api = "responses"');
      expect(html).toContain('env_key = "POLYRELAY_API_KEY"');
      // Hermes Agent: chat, responses and anthropic modes
      expect(html).toContain('~/.hermes/config.yaml');
      expect(html).toContain(`base_url: ${origin}/v1\n  api_key: \${POLYRELAY_API_KEY}\n  api_mode: chat_completions`);
      expect(html).toContain(`base_url: ${origin}/v1\n  api_key: \${POLYRELAY_API_KEY}\n  api_mode: codex_responses`);
      expect(html).toContain(`base_url: ${origin}\n  api_key: \${POLYRELAY_API_KEY}\n  api_mode: anthropic_messages`);
      // OpenClaw
      expect(html).toContain('~/.openclaw/openclaw.json');
      expect(html).toContain(`"baseUrl": "${origin}/v1"`);
      expect(html).toContain('"api": "openai-responses"');
      expect(html).toContain('"api": "anthropic-messages"');
      // SDKs, LiteLLM, curl
      expect(html).toContain(`OpenAI(base_url="${origin}/v1"`);
      expect(html).toContain(`new OpenAI({ baseURL: '${origin}/v1'`);
      expect(html).toContain(`anthropic.Anthropic(base_url="${origin}"`);
      expect(html).toContain(`new Anthropic({ baseURL: '${origin}'`);
      expect(html).toContain(`http_options={"base_url": "${origin}"}`);
      expect(html).toContain(`httpOptions: { baseUrl: '${origin}' }`);
      expect(html).toContain(`api_base: ${origin}/v1`);
      expect(html).toContain(`curl ${origin}/v1/chat/completions`);
      expect(html).toContain(`curl ${origin}/v1/messages`);
      expect(html).toContain(`curl "${origin}/v1beta/models/`);
      // What a client sends to keep its session on one upstream's cache, and the agent API's socket.
      expect(html).toContain('prompt_cache_key');
      expect(html).toContain('metadata.user_id');
      expect(html).toContain('Responses WebSocket at <code>…/responses</code>');
    }
  });

  it('fills chosen model names in, and ignores names that are not plain ids', async () => {
    const chosen = await pageText('https://relay.example.com/docs?anthropic_model=claude-opus-4-1&openai_model=gpt-5.1-codex&gemini_model=gemini-2.5-pro');
    expect(chosen).toContain('model = "gpt-5.1-codex"');
    expect(chosen).toContain('default: claude-opus-4-1');
    expect(chosen).toContain('model="gemini-2.5-pro"');
    const planted = await pageText(`https://relay.example.com/docs?model=${encodeURIComponent('x"; rm -rf ~; echo "')}`);
    expect(planted).not.toContain('rm -rf');
    expect(planted).toContain('model = "gpt-5"');
  });

  it('refuses a Host that is not a plain host name', async () => {
    // The URL parser lets a quote through in a host name; the snippets must not.
    expect(new URL("https://we'ird.example/docs").host).toBe("we'ird.example");
    expect((await fetchApp("https://we'ird.example/docs")).status).toBe(400);
    expect((await fetchApp("https://we'ird.example/setup.sh")).status).toBe(400);
  });
});

describe('GET /setup.sh', () => {
  it('is a POSIX sh script for this relay that asks for the key and writes Claude Code settings', async () => {
    const response = await fetchApp('https://relay.example.com/setup.sh');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/x-shellscript; charset=utf-8');
    const script = await response.text();
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain("RELAY='https://relay.example.com'");
    expect(script).toContain('read -r key < /dev/tty');
    expect(script).toContain('stty -echo');
    expect(script).toContain('settings.json');
    expect(script).toContain('ANTHROPIC_BASE_URL');
    expect(script).toContain('ANTHROPIC_AUTH_TOKEN');
    expect(script).not.toMatch(/\$\{base\}|undefined/);
  });
});

describe('GET /.well-known/polyrelay.json', () => {
  it('describes endpoints, formats and auth for this origin', async () => {
    const response = await fetchApp('https://relay.example.com/.well-known/polyrelay.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const doc = (await response.json()) as {
      base_url: string;
      formats: Record<string, { base_url: string }>;
      auth: { key_prefix: string; accepted: Array<{ in: string; name: string }> };
      endpoints: Array<{ method: string; path: string; format: string }>;
    };
    expect(doc.base_url).toBe('https://relay.example.com');
    expect(doc.formats['openai-chat']?.base_url).toBe('https://relay.example.com/v1');
    expect(doc.formats['openai-responses']?.base_url).toBe('https://relay.example.com/v1');
    expect(doc.formats.anthropic?.base_url).toBe('https://relay.example.com');
    expect(doc.formats.gemini?.base_url).toBe('https://relay.example.com');
    expect(doc.auth.key_prefix).toBe('sk-relay-');
    expect(doc.auth.accepted.map((entry) => entry.name)).toEqual(['Authorization', 'x-api-key', 'x-goog-api-key', 'key']);
    const paths = doc.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`);
    for (const path of ['POST /v1/chat/completions', 'POST /v1/responses', 'POST /v1/messages', 'POST /v1beta/models/{model}:generateContent', 'GET /v1/models', 'GET /health']) {
      expect(paths).toContain(path);
    }
  });
});
