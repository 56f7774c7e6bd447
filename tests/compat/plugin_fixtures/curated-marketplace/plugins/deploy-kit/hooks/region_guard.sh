#!/bin/sh
# Blocks Bash commands in the region the user marked as frozen (the plugin's `region` option).
echo "deploys to $CLAUDE_PLUGIN_OPTION_REGION are frozen" >&2
exit 2
