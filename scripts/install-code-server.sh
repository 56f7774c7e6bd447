#!/usr/bin/env bash
# Install what the VS Code end-to-end test needs: Debian's chromium (headless browser),
# libkrb5-dev and ripgrep (code-server's native build and search), then code-server from npm
# into .cache/code-server/ and playwright-core into the test's own node_modules.
# Skips whatever is already there, so a second run takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
CACHE=$PWD/.cache/code-server
PREFIX=$CACHE/$CODE_SERVER_VERSION

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/rg ] || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The stamp is written last, so an interrupted install is redone rather than trusted.
if [ ! -f "$PREFIX/.installed" ]; then
  echo "npm install code-server@$CODE_SERVER_VERSION into $PREFIX"
  # code-server's postinstall fetches ripgrep from GitHub, which is out of reach here: give it
  # Debian's rg in the cache file @vscode/ripgrep looks for first.
  tmp=$CACHE/tmp
  rgcache=$tmp/vscode-ripgrep-cache-1.15.11
  mkdir -p "$rgcache" "$PREFIX"
  tarball=$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
  [ -f "$tarball" ] || tar -czf "$tarball" -C /usr/bin rg
  TMPDIR=$tmp npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION"
  XDG_CONFIG_HOME=$CACHE/config "$PREFIX/node_modules/.bin/code-server" --version 2>/dev/null | tail -1
  touch "$PREFIX/.installed"
fi

stamp=tests/vscode/node_modules/.lsp-agent-lock.sha256
want=$(sha256sum tests/vscode/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "npm ci in tests/vscode (playwright-core)"
  npm ci --prefix tests/vscode --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
