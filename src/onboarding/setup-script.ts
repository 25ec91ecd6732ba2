import { RelayError } from '../errors';
import { agentSetupSection } from './setup-agents-script';

const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/**
 * The script writes a key that authenticates every later request to `base`: over plain http anyone on
 * the path could read it, and a script fetched over http could be rewritten on its way to `sh`. Only
 * a machine talking to itself may use http.
 */
const assertSetupOrigin = (base: string): void => {
  const url = new URL(base);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
  throw new RelayError('invalid_request', 400, `setup.sh is served over https only (this request came in on ${url.protocol}//${url.host})`);
};

/**
 * GET /setup.sh: a POSIX sh script (tested under dash) that asks for a polyrelay key (or takes
 * POLYRELAY_API_KEY; piped into sh with no terminal it says how to pass it), lists the key's models
 * with GET /v1/models, and configures both agents, keeping every other setting:
 * - Claude Code: ANTHROPIC_BASE_URL / ANTHROPIC_AUTH_TOKEN and, unless a `claude-*` wildcard route
 *   serves Claude Code's own model names, ANTHROPIC_MODEL and the fast/default models set to names the
 *   key can use (POLYRELAY_MODEL / POLYRELAY_SMALL_MODEL override); no usable name stops with a message.
 * - Codex CLI: a `polyrelay` provider (`wire_api = "responses"`, `supports_websockets = true`, `env_key = "POLYRELAY_API_KEY"`) in
 *   config.toml, selected as `model_provider`, merged with awk so no TOML library is needed.
 * An agent key (KEY_PREFIX + "agent-…") configures OpenClaw and Hermes Agent on the agent API instead
 * (src/onboarding/setup-agents-script.ts).
 * `base` must be a plain origin (relayOrigin()) plus BASE_PATH, whose characters are all shell-safe.
 *
 * The key never appears in a command line (ps would show it): curl reads its header from stdin and the
 * JSON merge reads it from the environment.
 */
export const setupScript = (base: string, keyPrefix = 'sk-relay-'): string => {
  assertSetupOrigin(base);
  return scriptFor(base, keyPrefix);
};

/** Only a prefix the script's own key check lets through can start a key, so only such a one is written into it. */
const SHELL_SAFE_PREFIX = /^[A-Za-z0-9._~-]+$/;

const scriptFor = (base: string, keyPrefix: string): string => `#!/bin/sh
# polyrelay: point Claude Code and Codex CLI at ${base}
#   curl -fsSL ${base}/setup.sh | sh                                   (asks for the key on the terminal)
#   curl -fsSL ${base}/setup.sh | POLYRELAY_API_KEY=sk-relay-... sh    (no terminal needed)
#   curl -fsSL ${base}/setup.sh | POLYRELAY_AGENT_KEY=sk-relay-agent-... sh   (an agent key: OpenClaw and Hermes Agent)
# Optional: POLYRELAY_MODEL / POLYRELAY_SMALL_MODEL (Claude Code's main and fast models), POLYRELAY_CODEX_MODEL.
set -eu
# No globbing: model patterns such as claude-* are data here.
set -f

RELAY='${base}'
SETTINGS_DIR="\${CLAUDE_CONFIG_DIR:-$HOME/.claude}"
SETTINGS="$SETTINGS_DIR/settings.json"
CODEX_DIR="\${CODEX_HOME:-$HOME/.codex}"
CODEX_CONFIG="$CODEX_DIR/config.toml"

fail() {
  echo "polyrelay: $*" >&2
  exit 1
}

key="\${POLYRELAY_API_KEY:-\${POLYRELAY_AGENT_KEY:-}}"
if [ -z "$key" ]; then
  # The subshell matters: a failed redirection on a special built-in ends a non-interactive sh at once, silently.
  if ! (exec < /dev/tty) 2> /dev/null; then
    fail "no terminal to ask for the key on (the script was piped into sh). Give the key in the environment instead:
  curl -fsSL $RELAY/setup.sh | POLYRELAY_API_KEY=sk-relay-... sh"
  fi
  printf 'polyrelay API key for %s: ' "$RELAY" > /dev/tty
  stty -echo < /dev/tty 2> /dev/null || true
  IFS= read -r key < /dev/tty || true
  stty echo < /dev/tty 2> /dev/null || true
  printf '\\n' > /dev/tty
fi

case "$key" in
  '') fail "no key given" ;;
  *[!A-Za-z0-9._~-]*) fail "that does not look like an API key" ;;
esac
${SHELL_SAFE_PREFIX.test(keyPrefix) ? agentSetupSection(`${keyPrefix}agent-`) : ''}
command -v curl > /dev/null 2>&1 || fail "curl is needed to check the key and list its models"
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
status=$(printf 'x-api-key: %s\\n' "$key" | curl -s -o "$listing" -w '%{http_code}' -H @- "$RELAY/v1/models" || true)
case "$status" in
  200) echo "polyrelay: key accepted by $RELAY" ;;
  401|403) fail "$RELAY refused this key (HTTP $status)" ;;
  *) fail "could not list models at $RELAY/v1/models (HTTP \${status:-none}); nothing written" ;;
esac

# GET /v1/models lists exact names and wildcard patterns (ending in *); one id per line.
ids=$(tr '{,' '\\n\\n' < "$listing" | sed -n 's/^"id":"\\([^"]*\\)"$/\\1/p')
exact=$(printf '%s\\n' "$ids" | grep -v '\\*$' || true)
patterns=$(printf '%s\\n' "$ids" | grep '\\*$' || true)
first_matching() { printf '%s\\n' "$exact" | grep -i -E "$1" | head -n 1; }
first_exact=$(printf '%s\\n' "$exact" | head -n 1)

# Claude Code asks for its own default names (claude-...): a wildcard route serving them makes them work as they are.
claude_route=''
for pattern in $patterns; do
  case "claude-" in "\${pattern%\\*}"*) claude_route="$pattern" ;; esac
done

model="\${POLYRELAY_MODEL:-}"
small="\${POLYRELAY_SMALL_MODEL:-}"
if [ -z "$model" ] && [ -z "$claude_route" ]; then
  model=$(first_matching sonnet)
  [ -n "$model" ] || model=$(first_matching opus)
  [ -n "$model" ] || model=$(first_matching claude)
  [ -n "$model" ] || model="$first_exact"
fi
if [ -z "$small" ] && [ -n "$model" ]; then
  small=$(first_matching haiku)
  [ -n "$small" ] || small="$model"
fi
if [ -z "$model" ] && [ -z "$claude_route" ]; then
  if [ -z "$patterns" ]; then
    fail "this key may use no model on $RELAY; ask the operator to route one. Nothing written."
  fi
  fail "this key's models on $RELAY are wildcard routes only ($(printf '%s' "$patterns" | tr '\\n' ' ')), so there is no name to pick for you.
Run again with one they serve, e.g.: curl -fsSL $RELAY/setup.sh | POLYRELAY_API_KEY=... POLYRELAY_MODEL=$(printf '%s\\n' "$patterns" | head -n 1 | sed 's/\\*$//')1 sh
Nothing written."
fi

codex_model="\${POLYRELAY_CODEX_MODEL:-}"
[ -n "$codex_model" ] || codex_model=$(first_matching 'gpt|codex|^o[0-9]')
[ -n "$codex_model" ] || codex_model="$first_exact"
[ -n "$codex_model" ] || codex_model="\${POLYRELAY_MODEL:-}"

# ── Claude Code: the env block of settings.json, every other setting kept ─────────────────────────
mkdir -p "$SETTINGS_DIR"
umask 077
export POLYRELAY_SETUP_URL="$RELAY" POLYRELAY_SETUP_KEY="$key" POLYRELAY_SETUP_FILE="$SETTINGS"
export POLYRELAY_SETUP_MODEL="$model" POLYRELAY_SETUP_SMALL="$small"
if command -v node > /dev/null 2>&1; then
  node -e '
const fs = require("fs");
const file = process.env.POLYRELAY_SETUP_FILE;
let settings = {};
try { settings = JSON.parse(fs.readFileSync(file, "utf8")); } catch (error) { if (error.code !== "ENOENT") throw error; }
const env = { ...(settings.env || {}) };
delete env.ANTHROPIC_API_KEY;
env.ANTHROPIC_BASE_URL = process.env.POLYRELAY_SETUP_URL;
env.ANTHROPIC_AUTH_TOKEN = process.env.POLYRELAY_SETUP_KEY;
const model = process.env.POLYRELAY_SETUP_MODEL, small = process.env.POLYRELAY_SETUP_SMALL;
if (model) Object.assign(env, { ANTHROPIC_MODEL: model, ANTHROPIC_DEFAULT_OPUS_MODEL: model, ANTHROPIC_DEFAULT_SONNET_MODEL: model, ANTHROPIC_DEFAULT_HAIKU_MODEL: small, ANTHROPIC_SMALL_FAST_MODEL: small });
fs.writeFileSync(file, JSON.stringify({ ...settings, env }, null, 2) + "\\n", { mode: 0o600 });
'
elif command -v python3 > /dev/null 2>&1; then
  python3 -c '
import json, os
path = os.environ["POLYRELAY_SETUP_FILE"]
try:
    with open(path) as handle:
        settings = json.load(handle)
except FileNotFoundError:
    settings = {}
env = dict(settings.get("env") or {})
env.pop("ANTHROPIC_API_KEY", None)
env["ANTHROPIC_BASE_URL"] = os.environ["POLYRELAY_SETUP_URL"]
env["ANTHROPIC_AUTH_TOKEN"] = os.environ["POLYRELAY_SETUP_KEY"]
model, small = os.environ["POLYRELAY_SETUP_MODEL"], os.environ["POLYRELAY_SETUP_SMALL"]
if model:
    env.update(ANTHROPIC_MODEL=model, ANTHROPIC_DEFAULT_OPUS_MODEL=model, ANTHROPIC_DEFAULT_SONNET_MODEL=model, ANTHROPIC_DEFAULT_HAIKU_MODEL=small, ANTHROPIC_SMALL_FAST_MODEL=small)
settings["env"] = env
with open(path, "w") as handle:
    json.dump(settings, handle, indent=2)
    handle.write("\\n")
'
elif [ ! -e "$SETTINGS" ]; then
  models=''
  [ -z "$model" ] || models=$(printf ',\\n    "ANTHROPIC_MODEL": "%s",\\n    "ANTHROPIC_DEFAULT_OPUS_MODEL": "%s",\\n    "ANTHROPIC_DEFAULT_SONNET_MODEL": "%s",\\n    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "%s",\\n    "ANTHROPIC_SMALL_FAST_MODEL": "%s"' "$model" "$model" "$model" "$small" "$small")
  printf '{\\n  "env": {\\n    "ANTHROPIC_BASE_URL": "%s",\\n    "ANTHROPIC_AUTH_TOKEN": "%s"%s\\n  }\\n}\\n' "$RELAY" "$key" "$models" > "$SETTINGS"
else
  echo "polyrelay: $SETTINGS exists and neither node nor python3 is here to merge into it." >&2
  echo "Add to its \\"env\\" block: \\"ANTHROPIC_BASE_URL\\": \\"$RELAY\\", \\"ANTHROPIC_AUTH_TOKEN\\": \\"<your key>\\"\${model:+, \\"ANTHROPIC_MODEL\\": \\"$model\\", \\"ANTHROPIC_SMALL_FAST_MODEL\\": \\"$small\\"}" >&2
  exit 1
fi
chmod 600 "$SETTINGS"
unset POLYRELAY_SETUP_KEY

echo "polyrelay: wrote ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN to $SETTINGS"
if [ -n "$model" ]; then
  echo "polyrelay: Claude Code will use $model (fast model: $small)"
else
  echo "polyrelay: Claude Code keeps its own model names: $claude_route routes them"
fi

# ── Codex CLI: a polyrelay provider in config.toml, every other table kept ────────────────────────
mkdir -p "$CODEX_DIR"
umask 022
[ -f "$CODEX_CONFIG" ] || : > "$CODEX_CONFIG"
awk -v model="$codex_model" -v base="$RELAY/v1" '
function root_keys() {
  print "model_provider = \\"polyrelay\\""
  if (model != "") print "model = \\"" model "\\""
  keys_done = 1
}
BEGIN { root = 1 }
/^[ \\t]*\\[/ {
  if (!keys_done) root_keys()
  root = 0
  skip = ($0 ~ /^[ \\t]*\\[[ \\t]*model_providers\\.polyrelay[ \\t]*\\]/)
  if (skip) next
}
skip { next }
/^[ \\t]*$/ { blanks = blanks "\\n"; next }
root && /^[ \\t]*model_provider[ \\t]*=/ { next }
root && model != "" && /^[ \\t]*model[ \\t]*=/ { next }
{ printf "%s", blanks; blanks = ""; print }
END {
  if (!keys_done) root_keys()
  print ""
  print "[model_providers.polyrelay]"
  print "name = \\"polyrelay\\""
  print "base_url = \\"" base "\\""
  print "env_key = \\"POLYRELAY_API_KEY\\""
  print "wire_api = \\"responses\\""
  print "supports_websockets = true"
}
' "$CODEX_CONFIG" > "$CODEX_CONFIG.polyrelay-new"
mv "$CODEX_CONFIG.polyrelay-new" "$CODEX_CONFIG"
echo "polyrelay: wrote the polyrelay provider\${codex_model:+ and model $codex_model} to $CODEX_CONFIG"
echo "Codex CLI reads the key from POLYRELAY_API_KEY: add  export POLYRELAY_API_KEY='<your key>'  to your shell profile."
echo "Start Claude Code with: claude    Codex CLI with: codex"
`;
