import { describe, expect, it } from 'vitest';
import { fetchApp, unescapeHtml } from '../dashboard/helpers';

describe('onboarding for the agents', () => {
  it("fills Claude Code's models into the docs page, with the way to list them", async () => {
    const html = unescapeHtml(await (await fetchApp('https://relay.example.com/docs?anthropic_model=mock-1')).text());
    expect(html).toContain('export ANTHROPIC_MODEL="mock-1"');
    expect(html).toContain('export ANTHROPIC_SMALL_FAST_MODEL="mock-1"');
    expect(html).toContain('"ANTHROPIC_DEFAULT_HAIKU_MODEL": "mock-1"');
    expect(html).toContain('curl -s https://relay.example.com/v1/models -H "x-api-key: $POLYRELAY_API_KEY"');
    expect(html).toContain('curl -fsSL https://relay.example.com/setup.sh | POLYRELAY_API_KEY=sk-relay-… sh');
  });

  it('serves a setup.sh that reads the key’s models and configures Codex CLI too', async () => {
    const script = await (await fetchApp('https://relay.example.com/setup.sh')).text();
    expect(script).toContain('"$RELAY/v1/models"');
    expect(script).toContain('ANTHROPIC_SMALL_FAST_MODEL');
    expect(script).toContain('POLYRELAY_MODEL');
    expect(script).toContain('CODEX_CONFIG="$CODEX_DIR/config.toml"');
    expect(script).toContain('print "wire_api = \\"responses\\""');
    expect(script).toContain('print "env_key = \\"POLYRELAY_API_KEY\\""');
    // The tty probe runs in a subshell: on `:` (a special built-in) a failed redirection ended dash with status 2, silently.
    expect(script).toContain('if ! (exec < /dev/tty) 2> /dev/null; then');
  });
});
