import type { FC } from 'hono/jsx';
import { Document } from '../dashboard/layout';
import { agentBaseUrl } from './agent-configs';
import type { ModelNames, Snippet, SnippetGroup } from './configs';

const SnippetBlock: FC<{ snippet: Snippet }> = ({ snippet }) => (
  <div class="snippet" id={`snippet-${snippet.id}`}>
    <h3>{snippet.title}</h3>
    {snippet.path ? <div class="path">{snippet.path}</div> : null}
    <pre>
      <code id={`code-${snippet.id}`} data-language={snippet.language}>
        {snippet.body}
      </code>
    </pre>
    <button type="button" class="secondary" data-copy={`code-${snippet.id}`}>
      Copy
    </button>
  </div>
);

interface DocsPageProps {
  /** The relay's base URL, BASE_PATH included. */
  base: string;
  /** BASE_PATH alone ('' at the root), for the page's own root-relative links. */
  basePath: string;
  models: ModelNames;
  groups: SnippetGroup[];
}

/** GET / and /docs: the relay's endpoints and ready configs, public (no key is ever shown or needed to read it). */
export const DocsPage: FC<DocsPageProps> = ({ base, basePath, models, groups }) => (
  <Document title="polyrelay · connect your agent" base={basePath}>
    <header class="top">
      <span class="brand">polyrelay</span>
      <a href={`${basePath}/docs`} class="active">
        Docs
      </a>
      <a href={`${basePath}/.well-known/polyrelay.json`}>Discovery</a>
      <a href={`${basePath}/dashboard`}>Dashboard</a>
    </header>
    <main>
      <h1>Connect to this relay</h1>
      <div class="card">
        <p>
          Base URL <code id="relay-base-url">{base}</code>{' '}
          <button type="button" class="secondary" data-copy="relay-base-url">
            Copy
          </button>
        </p>
        <p class="small muted">
          One key works for every format: OpenAI Chat Completions and Responses under <code>{base}/v1</code> (Responses also over a WebSocket at <code>{base}/v1/responses</code>), Anthropic Messages at <code>{base}/v1/messages</code>,
          Gemini at <code>{base}/v1beta/models/…</code>. Send it as <code>Authorization: Bearer</code>, <code>x-api-key</code>, <code>x-goog-api-key</code> or{' '}
          <code>?key=</code>. <code>GET /v1/models</code> lists the models you may use (a name ending in <code>*</code> is a wildcard route: any name with that start is served); fill in names from it below. <code>GET /v1/usage</code> shows your quota.
        </p>
        <p class="small muted" id="prompt-caching">
          Prompt caching: the turns of one session stay on one upstream, so its cache keeps hitting. Claude Code and Codex CLI name their session already; other clients
          send <code>prompt_cache_key</code> (OpenAI formats) or <code>metadata.user_id</code> (Anthropic). <code>cache_control</code> breakpoints reach Anthropic upstreams
          from every format, and cache reads and writes are in every format's usage.
        </p>
        <p class="small muted" id="agent-api">
          Agent keys (<code>sk-relay-agent-…</code>, for OpenClaw and Hermes Agent on a pro, max5x or max20x plan) work only on the agent API, base URL{' '}
          <code id="agent-base-url">{agentBaseUrl(base)}</code>: <code>GET /models</code>, <code>POST /chat/completions</code>, <code>/responses</code> and{' '}
          <code>/messages</code>, and the Responses WebSocket at <code>…/responses</code>. Every agent key of an account shares one 5-hour and weekly window; an agent key is refused on <code>/v1</code>, and an ordinary key on the
          agent API.
        </p>
        <form method="get" action={`${basePath}/docs`}>
          <div class="grid">
            <label>
              Anthropic model
              <input name="anthropic_model" value={models.anthropic} />
            </label>
            <label>
              OpenAI model
              <input name="openai_model" value={models.openai} />
            </label>
            <label>
              Gemini model
              <input name="gemini_model" value={models.gemini} />
            </label>
            <div>
              <button type="submit">Fill in these models</button>
            </div>
          </div>
        </form>
      </div>
      <nav class="tabs">
        {groups.map((group) => (
          <a href={`#${group.id}`}>{group.title}</a>
        ))}
      </nav>
      {groups.map((group) => (
        <section class="card" id={group.id}>
          <h2>{group.title}</h2>
          <p class="small muted">{group.intro}</p>
          {group.snippets.map((snippet) => (
            <SnippetBlock snippet={snippet} />
          ))}
        </section>
      ))}
    </main>
  </Document>
);
