#!/usr/bin/env bash
# Build the VS Code extension: npm ci (skipped when node_modules matches the lock file), strict
# type check, lint, esbuild bundle, unit tests, then vsce package. Writes
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
echo "== tsc --noEmit"
npx --no-install tsc --noEmit
echo "== eslint"
npx --no-install eslint src
echo "== esbuild"
node esbuild.mjs
echo "== unit tests"
node --test out/
echo "== vsce package"
npx --no-install vsce package --no-dependencies --allow-missing-repository --out lsp-agent.vsix
