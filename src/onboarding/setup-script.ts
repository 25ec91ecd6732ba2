import { RelayError } from '../errors';

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
 * GET /setup.sh: a POSIX sh script that asks for a polyrelay key (or takes POLYRELAY_API_KEY), checks it
 * against GET /v1/models, and writes ANTHROPIC_BASE_URL / ANTHROPIC_AUTH_TOKEN into the `env` block of
 * Claude Code's settings.json, keeping every other setting. `base` must be a plain origin (relayOrigin())
 * plus BASE_PATH, whose characters are all shell-safe.
 *
 * The key never appears in a command line (ps would show it): curl reads its header from stdin and the
 * JSON merge reads it from the environment.
 */
export const setupScript = (base: string): string => {
  assertSetupOrigin(base);
  return scriptFor(base);
};

const scriptFor = (base: string): string => `#!/bin/sh
# polyrelay: point Claude Code at ${base}
#   curl -fsSL ${base}/setup.sh | sh
#   POLYRELAY_API_KEY=sk-relay-... sh setup.sh     (no prompt)
set -eu

RELAY='${base}'
SETTINGS_DIR="\${CLAUDE_CONFIG_DIR:-$HOME/.claude}"
SETTINGS="$SETTINGS_DIR/settings.json"

key="\${POLYRELAY_API_KEY:-}"
if [ -z "$key" ]; then
  if ! { : < /dev/tty; } 2>/dev/null; then
    echo "polyrelay: no terminal to ask for the key on; set POLYRELAY_API_KEY" >&2
    exit 1
  fi
  printf 'polyrelay API key for %s: ' "$RELAY" > /dev/tty
  stty -echo < /dev/tty 2>/dev/null || true
  IFS= read -r key < /dev/tty || true
  stty echo < /dev/tty 2>/dev/null || true
  printf '\\n' > /dev/tty
fi

case "$key" in
  '') echo "polyrelay: no key given" >&2; exit 1 ;;
  *[!A-Za-z0-9._~-]*) echo "polyrelay: that does not look like an API key" >&2; exit 1 ;;
esac

if command -v curl > /dev/null 2>&1; then
  status=$(printf 'x-api-key: %s\\n' "$key" | curl -s -o /dev/null -w '%{http_code}' -H @- "$RELAY/v1/models" || true)
  case "$status" in
    200) echo "polyrelay: key accepted by $RELAY" ;;
    401|403) echo "polyrelay: $RELAY refused this key (HTTP $status)" >&2; exit 1 ;;
    *) echo "polyrelay: could not check the key (HTTP \${status:-none}); writing the settings anyway" >&2 ;;
  esac
fi

mkdir -p "$SETTINGS_DIR"
umask 077
export POLYRELAY_SETUP_URL="$RELAY" POLYRELAY_SETUP_KEY="$key" POLYRELAY_SETUP_FILE="$SETTINGS"
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
settings["env"] = env
with open(path, "w") as handle:
    json.dump(settings, handle, indent=2)
    handle.write("\\n")
'
elif [ ! -e "$SETTINGS" ]; then
  printf '{\\n  "env": {\\n    "ANTHROPIC_BASE_URL": "%s",\\n    "ANTHROPIC_AUTH_TOKEN": "%s"\\n  }\\n}\\n' "$RELAY" "$key" > "$SETTINGS"
else
  echo "polyrelay: $SETTINGS exists and neither node nor python3 is here to merge into it." >&2
  echo "Add to its \\"env\\" block: \\"ANTHROPIC_BASE_URL\\": \\"$RELAY\\", \\"ANTHROPIC_AUTH_TOKEN\\": \\"<your key>\\"" >&2
  exit 1
fi
chmod 600 "$SETTINGS"
unset POLYRELAY_SETUP_KEY

echo "polyrelay: wrote ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN to $SETTINGS"
echo "Start Claude Code with: claude"
`;
