import { AGENT_API_PATHS } from '../routes/agent-paths';
import { AGENT_KEY_VAR } from './agent-configs';

/**
 * The part of setup.sh that runs for an agent key (`agentPrefix…`): agent keys work only on the
 * agent API, so instead of Claude Code and Codex CLI it configures the agents sold with them,
 * OpenClaw (a `polyrelay-agents` provider merged into openclaw.json) and Hermes Agent (the key in
 * ~/.hermes/.env, the top-level `model:` block of config.yaml replaced), both on the agent base URL,
 * and ends the script. Expects RELAY, key and fail() from the main script; `agentPrefix` must be
 * shell-safe (the caller checks).
 */
export const agentSetupSection = (agentPrefix: string): string => `
# ── Agent keys: OpenClaw and Hermes Agent on the agent API, nothing else ──────────────────────────
AGENTS="$RELAY${AGENT_API_PATHS[0]}"
case "$key" in
  '${agentPrefix}'*)
    command -v curl > /dev/null 2>&1 || fail "curl is needed to check the key and list its models"
    listing=$(mktemp)
    trap 'rm -f "$listing"' EXIT
    status=$(printf 'Authorization: Bearer %s\\n' "$key" | curl -s -o "$listing" -w '%{http_code}' -H @- "$AGENTS/models" || true)
    case "$status" in
      200) echo "polyrelay: agent key accepted by $AGENTS" ;;
      401|403) fail "$AGENTS refused this agent key (HTTP $status): $(sed -n 's/.*"message":"\\([^"]*\\)".*/\\1/p' "$listing")" ;;
      *) fail "could not list models at $AGENTS/models (HTTP \${status:-none}); nothing written" ;;
    esac
    model="\${POLYRELAY_MODEL:-}"
    [ -n "$model" ] || model=$(tr '{,' '\\n\\n' < "$listing" | sed -n 's/^"id":"\\([^"]*\\)"$/\\1/p' | grep -v '\\*$' | head -n 1)
    [ -n "$model" ] || fail "no exact model name to pick for this agent key; run again with POLYRELAY_MODEL=<name>. Nothing written."

    umask 077
    HERMES_DIR="\${HERMES_HOME:-$HOME/.hermes}"
    mkdir -p "$HERMES_DIR"
    [ -f "$HERMES_DIR/.env" ] || : > "$HERMES_DIR/.env"
    { grep -v '^${AGENT_KEY_VAR}=' "$HERMES_DIR/.env" || true; printf '${AGENT_KEY_VAR}=%s\\n' "$key"; } > "$HERMES_DIR/.env.polyrelay-new"
    mv "$HERMES_DIR/.env.polyrelay-new" "$HERMES_DIR/.env"
    chmod 600 "$HERMES_DIR/.env"
    [ -f "$HERMES_DIR/config.yaml" ] || : > "$HERMES_DIR/config.yaml"
    awk -v model="$model" -v base="$AGENTS" '
/^model:/ { skip = 1; next }
skip && /^([ \\t]|$)/ { next }
{ skip = 0; print }
END {
  print "model:"
  print "  default: " model
  print "  provider: custom"
  print "  base_url: " base
  print "  api_key: \${${AGENT_KEY_VAR}}"
  print "  api_mode: chat_completions"
}
' "$HERMES_DIR/config.yaml" > "$HERMES_DIR/config.yaml.polyrelay-new"
    mv "$HERMES_DIR/config.yaml.polyrelay-new" "$HERMES_DIR/config.yaml"
    echo "polyrelay: Hermes Agent uses $model on $AGENTS ($HERMES_DIR/config.yaml, key in $HERMES_DIR/.env)"

    OPENCLAW_DIR="\${OPENCLAW_STATE_DIR:-$HOME/.openclaw}"
    mkdir -p "$OPENCLAW_DIR"
    export POLYRELAY_SETUP_FILE="$OPENCLAW_DIR/openclaw.json" POLYRELAY_SETUP_URL="$AGENTS" POLYRELAY_SETUP_MODEL="$model"
    merge='
const fs = require("fs");
const file = process.env.POLYRELAY_SETUP_FILE, model = process.env.POLYRELAY_SETUP_MODEL;
let config = {};
try { config = JSON.parse(fs.readFileSync(file, "utf8")); } catch (error) { if (error.code !== "ENOENT") { console.error("polyrelay: " + file + " is not plain JSON; add the polyrelay-agents provider from the docs page by hand"); process.exit(3); } }
config.models = config.models || {};
config.models.providers = { ...(config.models.providers || {}), "polyrelay-agents": { baseUrl: process.env.POLYRELAY_SETUP_URL, apiKey: "\${${AGENT_KEY_VAR}}", api: "openai-completions", models: [{ id: model, name: model + " (polyrelay agents)" }] } };
config.agents = config.agents || {};
config.agents.defaults = config.agents.defaults || {};
config.agents.defaults.model = { ...(config.agents.defaults.model || {}), primary: "polyrelay-agents/" + model };
fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\\n", { mode: 0o600 });
'
    if command -v node > /dev/null 2>&1 && node -e "$merge"; then
      echo "polyrelay: OpenClaw uses polyrelay-agents/$model ($OPENCLAW_DIR/openclaw.json)"
    else
      echo "polyrelay: OpenClaw not configured (node is needed to merge $OPENCLAW_DIR/openclaw.json); see $RELAY/docs#agents-openclaw" >&2
    fi
    echo "OpenClaw reads the key from ${AGENT_KEY_VAR}: add  export ${AGENT_KEY_VAR}='<your agent key>'  to your shell profile."
    exit 0
    ;;
esac
`;
