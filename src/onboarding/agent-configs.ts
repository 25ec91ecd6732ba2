import { AGENT_API_PATHS } from '../routes/agent-paths';
import type { ModelNames, SnippetGroup } from './configs';

/** Agent keys live in their own variable, so an inference key in POLYRELAY_API_KEY can stay beside one. */
export const AGENT_KEY_VAR = 'POLYRELAY_AGENT_KEY';

/** The agent API's base URL: OpenAI-compatible (SDKs append /chat/completions, /responses, /models). */
export const agentBaseUrl = (base: string): string => `${base}${AGENT_API_PATHS[0]}`;

const hermesModel = (lines: string[]) => `model:\n${lines.map((line) => `  ${line}`).join('\n')}`;

const openclawAgents = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'agents-openclaw',
  title: 'OpenClaw (agent key)',
  intro:
    `An agent key (sk-relay-agent-…, on a pro, max5x or max20x plan) works only on the agent API, ${agentBaseUrl(base)}, and draws from your account's shared 5-hour and weekly window. ` +
    `OpenClaw takes it as a custom OpenAI-compatible provider; setup.sh given an agent key writes this provider for you. The key is read from ${AGENT_KEY_VAR}.`,
  snippets: [
    { id: 'agents-openclaw-setup', title: 'One line, with an agent key', language: 'sh', body: `curl -fsSL ${base}/setup.sh | ${AGENT_KEY_VAR}=sk-relay-agent-… sh` },
    {
      id: 'agents-openclaw-providers',
      title: 'Provider',
      path: '~/.openclaw/openclaw.json',
      language: 'json',
      body: JSON.stringify(
        {
          models: {
            providers: {
              'polyrelay-agents': { baseUrl: agentBaseUrl(base), apiKey: `\${${AGENT_KEY_VAR}}`, api: 'openai-completions', models: [{ id: models.openai, name: `${models.openai} (polyrelay agents)` }] },
            },
          },
          agents: { defaults: { model: { primary: `polyrelay-agents/${models.openai}` } } },
        },
        null,
        2,
      ),
    },
    { id: 'agents-models', title: 'Models your agent key can use', language: 'sh', body: `curl -s ${agentBaseUrl(base)}/models -H "Authorization: Bearer $${AGENT_KEY_VAR}"` },
  ],
});

const hermesAgents = (base: string, models: ModelNames): SnippetGroup => ({
  id: 'agents-hermes',
  title: 'Hermes Agent (agent key)',
  intro: `Hermes takes the agent API as a custom OpenAI-compatible endpoint; the key lives in ~/.hermes/.env. setup.sh given an agent key writes both files.`,
  snippets: [
    { id: 'agents-hermes-env', title: 'Secret', path: '~/.hermes/.env', language: 'sh', body: `${AGENT_KEY_VAR}=sk-relay-agent-…` },
    {
      id: 'agents-hermes-chat',
      title: 'Chat Completions mode',
      path: '~/.hermes/config.yaml',
      language: 'yaml',
      body: hermesModel([`default: ${models.openai}`, 'provider: custom', `base_url: ${agentBaseUrl(base)}`, `api_key: \${${AGENT_KEY_VAR}}`, 'api_mode: chat_completions']),
    },
    {
      id: 'agents-hermes-responses',
      title: 'Responses mode',
      path: '~/.hermes/config.yaml',
      language: 'yaml',
      body: hermesModel([`default: ${models.openai}`, 'provider: custom', `base_url: ${agentBaseUrl(base)}`, `api_key: \${${AGENT_KEY_VAR}}`, 'api_mode: codex_responses']),
    },
  ],
});

/** The agent-key groups of the docs page. */
export const agentKeyGroups = (base: string, models: ModelNames): SnippetGroup[] => [openclawAgents(base, models), hermesAgents(base, models)];
