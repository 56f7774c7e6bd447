#!/usr/bin/env bash
# Install Emacs 28 and eglot from Debian for the eglot end-to-end test (tests/emacs/).
# Skips the work when both are there already.
set -euo pipefail
if command -v emacs >/dev/null && dpkg -s elpa-eglot >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq emacs-nox elpa-eglot >/dev/null
