#!/usr/bin/env bash
# Install Toad (PyPI: batrachian-toad), a terminal ACP client tests/acp runs `lsp-agent acp` in.
# Toad needs Python >= 3.14; this machine's Debian (bookworm) has 3.11 and no registry here ships
# a CPython build for it (uv and portable-python download theirs from GitHub). Debian's testing
# suite has python3.14, built against a newer glibc, so its packages (and that glibc) are
# fetched with apt-get into a private apt state (the system's sources and packages are left
# alone), unpacked into .cache/toad/root, and run through that glibc's own loader. Toad's
# wheels (cp314) are installed into that Python's dist-packages by this venv's pip. A second
# run takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=forky
TOAD_VERSION=0.6.20
PREFIX=$PWD/.cache/toad
ROOT=$PREFIX/root
STAMP=$PREFIX/.installed-$SUITE-$TOAD_VERSION
# The test runs Toad under tmux and reads its screen back.
if ! command -v tmux >/dev/null; then
  apt-get update -qq && apt-get install -y -qq tmux
fi
[ -f "$STAMP" ] && exit 0

echo "apt-get download python3.14 and its libraries from Debian $SUITE into $ROOT; pip install batrachian-toad==$TOAD_VERSION"
rm -rf "$PREFIX"
APT=$PREFIX/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs" "$ROOT" "$PREFIX/bin"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $SUITE main" \
  >"$APT/sources.list"
touch "$APT/status"
OPTS=(-o "Dir::Etc::sourcelist=$APT/sources.list" -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "Dir::State::status=$APT/status"
  -o APT::Sandbox::User=root)
apt-get "${OPTS[@]}" -qq update
# python3.14 and everything it needs, by name from the suite's own dependency lists.
mapfile -t PACKAGES < <(apt-cache "${OPTS[@]}" depends --recurse --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances python3.14 | grep '^[a-z0-9]' | sort -u)
(cd "$APT/debs" && apt-get "${OPTS[@]}" -qq download "${PACKAGES[@]}")
for deb in "$APT/debs"/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
rm -rf "$APT"

# The interpreter through its own glibc's loader; children (the agent) keep the system's.
cat >"$PREFIX/bin/python3.14" <<SH
#!/bin/sh
exec "$ROOT/usr/lib64/ld-linux-x86-64.so.2" --library-path "$ROOT/usr/lib/x86_64-linux-gnu" \\
  "$ROOT/usr/bin/python3.14" "\$@"
SH
cat >"$PREFIX/bin/toad" <<SH
#!/bin/sh
exec "$PREFIX/bin/python3.14" -m toad.cli "\$@"
SH
chmod +x "$PREFIX/bin/python3.14" "$PREFIX/bin/toad"

PLATFORMS=()
for p in manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_28_x86_64 manylinux_2_34_x86_64 \
  linux_x86_64 any; do PLATFORMS+=(--platform "$p"); done
.venv/bin/python -m pip install -q --no-warn-conflicts --ignore-requires-python --only-binary=:all: \
  --python-version 3.14 --implementation cp --abi cp314 --abi abi3 --abi none "${PLATFORMS[@]}" \
  --target "$ROOT/usr/lib/python3/dist-packages" "batrachian-toad==$TOAD_VERSION"
"$PREFIX/bin/toad" --version
touch "$STAMP"
