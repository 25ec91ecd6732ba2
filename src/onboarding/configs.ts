import { agentKeyGroups } from './agent-configs';

/** Copy-paste configs for agents, SDKs and tools, each with the relay's own base URL filled in. */
export interface Snippet {
  id: string;
  title: string;
  /** Where the text goes (a file path), when it is a file. */
  path?: string;
  language: 'sh' | 'toml' | 'yaml' | 'json' | 'python' | 'js';
  body: string;
}

export interface SnippetGroup {
  id: string;
  title: string;
  intro: string;
  snippets: Snippet[];
}

export interface ModelNames {
  anthropic: string;
  openai: string;
  gemini: string;
}

export const DEFAULT_MODELS: ModelNames = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-5', gemini: 'gemini-2.5-flash' };

const KEY_VAR = 'POLYRELAY_API_KEY';

/**
 * Claude Code asks for its own model names (claude-…): unless the relay routes those (a `claude-*`
 * wildcard), it needs its main and fast models set to names the key can use, or every turn is a 404.
 */
const claudeModelEnv = (model: string) => ({
  ANTHROPIC_MODEL: model,
  ANTHROPIC_DEFAULT_OPUS_MODEL: model,
  ANTHROPIC_DEFAULT_SONNET_MODEL: model,
  ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
  ANTHROPIC_SMALL_FAST_MODEL: model,
});

const claudeCode = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'claude-code',
  title: 'Claude Code',
  intro:
    'Claude Code speaks Anthropic Messages; ANTHROPIC_AUTH_TOKEN sends the key as a Bearer token (ANTHROPIC_API_KEY as x-api-key works too). ' +
    'Its own model names (claude-…) work only where the relay routes them; otherwise set its models to names GET /v1/models lists for your key. ' +
    'setup.sh reads that list with your key and does it for you (POLYRELAY_MODEL chooses), and configures Codex CLI too.',
  snippets: [
    {
      id: 'claude-code-setup',
      title: 'One line: Claude Code and Codex CLI, with models your key can use',
      language: 'sh',
      body: `curl -fsSL ${base}/setup.sh | sh\n# piped with no terminal (CI, containers): pass the key instead\ncurl -fsSL ${base}/setup.sh | ${KEY_VAR}=sk-relay-… sh`,
    },
    { id: 'claude-code-models', title: 'Models your key can use', language: 'sh', body: `curl -s ${base}/v1/models -H "x-api-key: $${KEY_VAR}"` },
    {
      id: 'claude-code-env',
      title: 'Environment for one shell',
      language: 'sh',
      body: [`export ANTHROPIC_BASE_URL="${base}"`, `export ANTHROPIC_AUTH_TOKEN="$${KEY_VAR}"`, ...Object.entries(claudeModelEnv(models.anthropic)).map(([name, value]) => `export ${name}="${value}"`), 'claude'].join('\n'),
    },
    {
      id: 'claude-code-settings',
      title: 'Settings file',
      path: '~/.claude/settings.json',
      language: 'json',
      body: JSON.stringify({ env: { ANTHROPIC_BASE_URL: base, ANTHROPIC_AUTH_TOKEN: 'sk-relay-…', ...claudeModelEnv(models.anthropic) } }, null, 2),
    },
  ],
});

const codex = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'codex',
  title: 'Codex CLI',
  intro: `Codex uses the Responses API; the key is read from ${KEY_VAR}. setup.sh writes this provider into an existing config.toml, keeping the rest.`,
  snippets: [
    {
      id: 'codex-config',
      title: 'Provider',
      path: '~/.codex/config.toml',
      language: 'toml',
      body: `model = "${models.openai}"\nmodel_provider = "polyrelay"\n\n[model_providers.polyrelay]\nname = "polyrelay"\nbase_url = "${base}/v1"\nenv_key = "${KEY_VAR}"\nwire_api = "responses"\nsupports_websockets = true`,
    },
    { id: 'codex-run', title: 'Run', language: 'sh', body: `export ${KEY_VAR}="sk-relay-…"\ncodex` },
  ],
});

const hermesModel = (lines: string[]) => `model:\n${lines.map((line) => `  ${line}`).join('\n')}`;

const hermes = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'hermes',
  title: 'Hermes Agent',
  intro: `Pick one model block. The key lives in ~/.hermes/.env and config.yaml refers to it as \${${KEY_VAR}}.`,
  snippets: [
    { id: 'hermes-env', title: 'Secret', path: '~/.hermes/.env', language: 'sh', body: `${KEY_VAR}=sk-relay-…` },
    {
      id: 'hermes-chat',
      title: 'Chat Completions mode',
      path: '~/.hermes/config.yaml',
      language: 'yaml',
      body: hermesModel([`default: ${models.openai}`, 'provider: custom', `base_url: ${base}/v1`, `api_key: \${${KEY_VAR}}`, 'api_mode: chat_completions']),
    },
    {
      id: 'hermes-responses',
      title: 'Responses mode',
      path: '~/.hermes/config.yaml',
      language: 'yaml',
      body: hermesModel([`default: ${models.openai}`, 'provider: custom', `base_url: ${base}/v1`, `api_key: \${${KEY_VAR}}`, 'api_mode: codex_responses']),
    },
    {
      id: 'hermes-anthropic',
      title: 'Anthropic Messages mode',
      path: '~/.hermes/config.yaml',
      language: 'yaml',
      body: hermesModel([`default: ${models.anthropic}`, 'provider: custom', `base_url: ${base}`, `api_key: \${${KEY_VAR}}`, 'api_mode: anthropic_messages']),
    },
  ],
});

const openclaw = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'openclaw',
  title: 'OpenClaw',
  intro: 'Two custom providers on the same relay: one over the Responses API, one over Anthropic Messages.',
  snippets: [
    {
      id: 'openclaw-providers',
      title: 'Providers',
      path: '~/.openclaw/openclaw.json',
      language: 'json',
      body: JSON.stringify(
        {
          models: {
            providers: {
              polyrelay: { baseUrl: `${base}/v1`, apiKey: `\${${KEY_VAR}}`, api: 'openai-responses', models: [{ id: models.openai, name: `${models.openai} (polyrelay)` }] },
              'polyrelay-anthropic': { baseUrl: base, apiKey: `\${${KEY_VAR}}`, api: 'anthropic-messages', models: [{ id: models.anthropic, name: `${models.anthropic} (polyrelay)` }] },
            },
          },
          agents: { defaults: { model: { primary: `polyrelay/${models.openai}` } } },
        },
        null,
        2,
      ),
    },
  ],
});

const sdks = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'sdks',
  title: 'SDKs',
  intro: 'The official SDKs take the relay as their base URL: OpenAI at /v1, Anthropic and Gemini at the root.',
  snippets: [
    {
      id: 'openai-python',
      title: 'OpenAI, Python',
      language: 'python',
      body: `import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url="${base}/v1", api_key=os.environ["${KEY_VAR}"])\nchat = client.chat.completions.create(model="${models.openai}", messages=[{"role": "user", "content": "Hello"}])\nprint(chat.choices[0].message.content)\nresponse = client.responses.create(model="${models.openai}", input="Hello")\nprint(response.output_text)`,
    },
    {
      id: 'openai-node',
      title: 'OpenAI, Node',
      language: 'js',
      body: `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${base}/v1', apiKey: process.env.${KEY_VAR} });\nconst chat = await client.chat.completions.create({ model: '${models.openai}', messages: [{ role: 'user', content: 'Hello' }] });\nconsole.log(chat.choices[0].message.content);`,
    },
    {
      id: 'anthropic-python',
      title: 'Anthropic, Python',
      language: 'python',
      body: `import os\nimport anthropic\n\nclient = anthropic.Anthropic(base_url="${base}", api_key=os.environ["${KEY_VAR}"])\nmessage = client.messages.create(model="${models.anthropic}", max_tokens=1024, messages=[{"role": "user", "content": "Hello"}])\nprint(message.content[0].text)`,
    },
    {
      id: 'anthropic-node',
      title: 'Anthropic, Node',
      language: 'js',
      body: `import Anthropic from '@anthropic-ai/sdk';\n\nconst client = new Anthropic({ baseURL: '${base}', apiKey: process.env.${KEY_VAR} });\nconst message = await client.messages.create({ model: '${models.anthropic}', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] });\nconsole.log(message.content);`,
    },
    {
      id: 'gemini-python',
      title: 'Gemini (google-genai), Python',
      language: 'python',
      body: `import os\nfrom google import genai\n\nclient = genai.Client(api_key=os.environ["${KEY_VAR}"], http_options={"base_url": "${base}"})\nresponse = client.models.generate_content(model="${models.gemini}", contents="Hello")\nprint(response.text)`,
    },
    {
      id: 'gemini-node',
      title: 'Gemini (@google/genai), Node',
      language: 'js',
      body: `import { GoogleGenAI } from '@google/genai';\n\nconst ai = new GoogleGenAI({ apiKey: process.env.${KEY_VAR}, httpOptions: { baseUrl: '${base}' } });\nconst response = await ai.models.generateContent({ model: '${models.gemini}', contents: 'Hello' });\nconsole.log(response.text);`,
    },
  ],
});

const tools = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'tools',
  title: 'LiteLLM and curl',
  intro: 'LiteLLM reaches the relay as an OpenAI-compatible and an Anthropic upstream; curl shows each wire format by hand.',
  snippets: [
    {
      id: 'litellm-proxy',
      title: 'LiteLLM proxy',
      path: 'litellm_config.yaml',
      language: 'yaml',
      body: `model_list:\n  - model_name: ${models.openai}\n    litellm_params:\n      model: openai/${models.openai}\n      api_base: ${base}/v1\n      api_key: os.environ/${KEY_VAR}\n  - model_name: ${models.anthropic}\n    litellm_params:\n      model: anthropic/${models.anthropic}\n      api_base: ${base}\n      api_key: os.environ/${KEY_VAR}`,
    },
    {
      id: 'litellm-python',
      title: 'LiteLLM SDK',
      language: 'python',
      body: `import os\nimport litellm\n\nresponse = litellm.completion(model="openai/${models.openai}", api_base="${base}/v1", api_key=os.environ["${KEY_VAR}"], messages=[{"role": "user", "content": "Hello"}])\nprint(response.choices[0].message.content)`,
    },
    {
      id: 'curl',
      title: 'curl',
      language: 'sh',
      body: [
        `curl ${base}/v1/chat/completions -H "Authorization: Bearer $${KEY_VAR}" -H 'content-type: application/json' \\\n  -d '{"model":"${models.openai}","messages":[{"role":"user","content":"Hello"}],"stream":true}'`,
        `curl ${base}/v1/responses -H "Authorization: Bearer $${KEY_VAR}" -H 'content-type: application/json' \\\n  -d '{"model":"${models.openai}","input":"Hello"}'`,
        `curl ${base}/v1/messages -H "x-api-key: $${KEY_VAR}" -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\\n  -d '{"model":"${models.anthropic}","max_tokens":256,"messages":[{"role":"user","content":"Hello"}]}'`,
        `curl "${base}/v1beta/models/${models.gemini}:streamGenerateContent?alt=sse" -H "x-goog-api-key: $${KEY_VAR}" -H 'content-type: application/json' \\\n  -d '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}'`,
        `curl ${base}/v1/models -H "Authorization: Bearer $${KEY_VAR}"\ncurl ${base}/v1/usage -H "Authorization: Bearer $${KEY_VAR}"`,
      ].join('\n\n'),
    },
  ],
});

/** Every group, in page order. Model names only have to be routed by the relay; the page lets the reader change them. */
export const snippetGroups = (base: string, models: ModelNames): SnippetGroup[] => [
  claudeCode(base, models),
  codex(base, models),
  hermes(base, models),
  openclaw(base, models),
  ...agentKeyGroups(base, models),
  sdks(base, models),
  tools(base, models),
];
