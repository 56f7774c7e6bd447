#!/usr/bin/env bash
# Build the VS Code extension: npm ci (skipped when node_modules matches the lock file), lint,
# vsce package (whose `vscode:prepublish` script type-checks and bundles with esbuild, as it does
# for `vsce publish`), then the unit tests on the bundle's test build. Writes
# vscode-extension/lsp-agent.vsix.
set -euo pipefail
cd "$(dirname "$0")/../vscode-extension"

stamp=node_modules/.lsp-agent-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== npm ci (vscode-extension)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
echo "== eslint"
npx --no-install eslint src
echo "== vsce package (vscode:prepublish: tsc --noEmit, esbuild)"
npx --no-install vsce package --no-dependencies --allow-missing-repository --out lsp-agent.vsix
echo "== unit tests"
node --test out/
