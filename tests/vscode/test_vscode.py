"""The VS Code extension: it builds and packages (every run), and works end to end in a real VS
Code (code-server 4.100.3 = VS Code 1.100) in headless Chromium against the real server and the
scripted fake model server. Install the browser and code-server with
scripts/install-code-server.sh first (scripts/test.sh does)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
VSIX = ROOT / "vscode-extension" / "lsp-agent.vsix"
CODE_SERVER = ROOT / ".cache" / "code-server" / "4.100.3" / "node_modules" / ".bin" / "code-server"
ARTIFACTS = HERE / "artifacts"

BROKEN = '{\n  "name": "demo",\n  "items": [1, 2, 3],\n}\n'
FIXED = '{\n  "name": "demo",\n  "items": [1, 2, 3]\n}\n'

FIX_JSON = {
    "responses": [
        {
            "content": [
                {"type": "text", "text": "Let me read the file."},
                {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/data.json"}},
            ]
        },
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Edit",
                    "input": {
                        "file_path": "{cwd}/data.json",
                        "old_string": '"items": [1, 2, 3],\n}',
                        "new_string": '"items": [1, 2, 3]\n}',
                    },
                }
            ]
        },
        {"content": [{"type": "text", "text": "Removed the trailing comma."}]},
    ]
}


@pytest.fixture(scope="session")
def vsix() -> Path:
    """Build with the project's script: npm ci, tsc --noEmit, eslint, esbuild, vsce package."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vscode-build.sh")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return VSIX


def test_extension_builds_and_packages(vsix: Path) -> None:
    assert vsix.is_file() and vsix.stat().st_size > 10_000
    manifest = json.loads((ROOT / "vscode-extension" / "package.json").read_text())
    assert manifest["engines"]["vscode"] == "^1.91.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_model(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "data.json").write_text(BROKEN)
    scenario = tmp_path / "fix_json.json"
    scenario.write_text(json.dumps(FIX_JSON))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lsp_agent.testing.fake_anthropic",
            str(scenario),
            "--port",
            "0",
            "--var",
            f"cwd={workspace}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on "), line
        yield line.split()[-1], workspace
    finally:
        process.terminate()
        process.wait(10)


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"code-server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)  # polling a port that is not open yet: no event to wait on
    pytest.fail("code-server did not start serving")


def test_fix_with_claude_in_real_vscode(
    vsix: Path, fake_model: tuple[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    missing = [
        str(p)
        for p in (CODE_SERVER, Path("/usr/bin/chromium"), HERE / "node_modules" / "playwright-core")
        if not p.exists()
    ]
    assert not missing, f"run scripts/install-code-server.sh first; missing: {missing}"
    base_url, workspace = fake_model
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(
        json.dumps(
            {
                "lspAgent.server.command": [sys.executable, "-m", "lsp_agent", "serve"],
                "workbench.startupEditor": "none",
                "workbench.tips.enabled": False,
                "security.workspace.trust.enabled": False,
                "extensions.autoCheckUpdates": False,
                "extensions.autoUpdate": False,
                "telemetry.telemetryLevel": "off",
                "chat.commandCenter.enabled": False,
            }
        )
    )
    dirs = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    env = {
        **env,
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-test",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    installed = subprocess.run(
        [str(CODE_SERVER), *dirs, "--install-extension", str(vsix)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "code-server.log").open("wb")
    server = subprocess.Popen(
        [
            str(CODE_SERVER),
            *dirs,
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            str(workspace),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_until_serving(url, server)
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot = ARTIFACTS / "fix_with_claude.png"
        screenshot.unlink(missing_ok=True)
        result = subprocess.run(
            ["node", str(HERE / "e2e.mjs")],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=HERE,
            env={
                **os.environ,
                "CODE_SERVER_URL": url,
                "WORKSPACE": str(workspace),
                "FILE": "data.json",
                "EXPECTED": FIXED,
                "SCREENSHOT": str(screenshot),
            },
        )
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    server_log = (tmp_path / "code-server.log").read_text(errors="replace")
    sys.stderr.write(result.stderr)
    assert result.returncode == 0, (
        result.stderr + "\n--- code-server log ---\n" + server_log[-4000:]
    )
    # The edit went to the editor's buffer, not behind it to the disk.
    assert (workspace / "data.json").read_text() == BROKEN
