"""PreToolUse hook: refuse every edit, naming the plugin root it runs from."""

import json
import os
import sys

event = json.load(sys.stdin)
root = os.environ.get("CLAUDE_PLUGIN_ROOT", "<unset>")
data = os.environ.get("CLAUDE_PLUGIN_DATA", "<unset>")
name = os.path.basename(event.get("tool_input", {}).get("file_path", ""))
print(f"guard ({root}) blocks edits to {name}; data in {data}", file=sys.stderr)
sys.exit(2)
