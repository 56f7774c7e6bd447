"""The VS Code extension: it builds and packages (every run), and works end to end in a real VS
Code (code-server 4.100.3 = VS Code 1.100) in headless Chromium against the real server and the
scripted fake model server. Install the browser and code-server with
scripts/install-code-server.sh first (scripts/test.sh does)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import fake_anthropic_process
from tests.e2e.test_ask_user_question import TWO_QUESTIONS
from tests.two_hunks import CALC, TYPE_BOTH, TYPED

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
VSIX = ROOT / "vscode-extension" / "lsp-agent.vsix"
CODE_SERVER = ROOT / ".cache" / "code-server" / "4.100.3" / "node_modules" / ".bin" / "code-server"
ARTIFACTS = HERE / "artifacts"

BROKEN = '{\n  "name": "demo",\n  "items": [1, 2, 3],\n}\n'
FIXED = '{\n  "name": "demo",\n  "items": [1, 2, 3]\n}\n'


def read(name: str) -> dict[str, Any]:
    return {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/" + name}}


def text(message: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": message}]}


FIX_JSON = [
    {"content": [{"type": "text", "text": "Let me read the file."}, read("data.json")]},
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
    text("Removed the trailing comma."),
]

TYPE_HINTS = [
    {"content": [read("calc.py")]},
    {"content": [TYPE_BOTH]},
    text("Done."),
]


@dataclass
class Case:
    mode: str
    file: str
    before: str
    responses: list[dict[str, Any]]
    after: str
    server_command: list[str] | None = None  # default: this interpreter's lsp_agent
    marker: str | None = None  # a file the run must create in the workspace
    # User settings ("{fake}": the fake's URL) and the fake's module, for another provider.
    settings: dict[str, Any] = field(default_factory=dict)
    fake: str = "lsp_agent.testing.fake_anthropic"
    artifact: str = ""  # the screenshot's name when another case has the same mode
    absent: str | None = None  # a file the run must not create
    restricted: bool = False  # Workspace Trust on, the folder not trusted (Restricted Mode)
    hook: bool = False  # the folder's .claude/settings.json has a hook creating `hook-ran`
    claude_settings: dict[str, Any] = field(default_factory=dict)  # ~/.claude/settings.json


CASES = {
    "quickfix": Case("quickfix", "data.json", BROKEN, FIX_JSON, FIXED),
    "fixfile": Case("fixfile", "data.json", BROKEN, FIX_JSON, FIXED),
    "hunks": Case(
        "hunks", "calc.py", CALC, TYPE_HINTS, CALC.replace("def add(a, b):", TYPED.format("add"))
    ),
    "edit": Case(
        "edit",
        "calc.py",
        CALC,
        TYPE_HINTS,
        CALC.replace("def add(a, b):", TYPED.format("add") + "  # reviewed").replace(
            "def sub(a, b):", TYPED.format("sub")
        ),
    ),
}
TYPE_SUB = {
    "type": "tool_use",
    "name": "Edit",
    "input": {
        "file_path": "{cwd}/calc.py",
        "old_string": "def sub(a, b):",
        "new_string": TYPED.format("sub"),
    },
}
# Three runs: both functions (one hunk accepted, one rejected), then sub twice (all rejected,
# then all accepted).
BUTTONS = [
    *TYPE_HINTS,
    {"content": [read("calc.py")]},
    {"content": [TYPE_SUB]},
    text("Left it."),
    {"content": [read("calc.py")]},
    {"content": [TYPE_SUB]},
    text("Done."),
]
BOTH_TYPED = CALC.replace("def add(a, b):", TYPED.format("add")).replace(
    "def sub(a, b):", TYPED.format("sub")
)
CASES["buttons"] = Case("buttons", "calc.py", CALC, BUTTONS, BOTH_TYPED)
BASH = [
    {
        "content": [
            {
                "type": "tool_use",
                "name": "Bash",
                "input": {"command": "touch {cwd}/ran-bash", "description": "make a marker"},
            }
        ]
    },
    text("Made the marker file."),
]
CASES["permission"] = Case("permission", "calc.py", CALC, BASH, CALC, marker="ran-bash")
# The model provider chosen in VS Code's settings screen (user settings): the Fix runs against
# a fake Ollama; without the settings reaching the server it would call the Anthropic API.
CASES["provider"] = Case(
    "quickfix",
    "data.json",
    BROKEN,
    FIX_JSON,
    FIXED,
    settings={
        "lspAgent.provider": "openai",
        "lspAgent.openaiBaseUrl": "{fake}",
        "lspAgent.model": "qwen2.5-coder:7b",
        "lspAgent.contextWindow": 32768,
    },
    fake="lsp_agent.testing.fake_openai",
    artifact="provider",
)
CASES["changes"] = Case(
    "changes",
    "calc.py",
    CALC,
    TYPE_HINTS,
    "# typed after the run\n" + CALC,
    settings={"lspAgent.permissionMode": "acceptEdits"},
)
CASES["reopen"] = Case(
    "reopen", "calc.py", CALC, TYPE_HINTS, BOTH_TYPED, settings={"lspAgent.review.openDiff": False}
)
CASES["missing"] = Case(
    "missing", "calc.py", CALC, [], CALC, server_command=["/nonexistent/lsp-agent"]
)
ASK_TWO = {
    "content": [
        {"type": "tool_use", "name": "AskUserQuestion", "input": {"questions": TWO_QUESTIONS}}
    ]
}
CASES["questions"] = Case("questions", "calc.py", CALC, [ASK_TWO, text("Setting them up.")], CALC)
# Issue 17: the folder's own hook runs when VS Code trusts the folder (Workspace Trust off, so
# every folder is trusted, as in the cases above) and not in Restricted Mode (trust on, this
# folder not trusted); the fix itself works in both.
CASES["trusted"] = Case(
    "quickfix", "data.json", BROKEN, FIX_JSON, FIXED, marker="hook-ran", hook=True
)
CASES["restricted"] = Case(
    "quickfix", "data.json", BROKEN, FIX_JSON, FIXED, absent="hook-ran", restricted=True, hook=True
)
# "Show Plugins": a plugin with an entry-free userConfig (its required option unset, its
# sensitive one set) and a plugin whose manifest is malformed.
PLUGIN_FIXTURES = ROOT / "tests" / "compat" / "plugin_fixtures"
SECRET = "s3cret-token-value"
CASES["plugins"] = Case(
    "plugins",
    "calc.py",
    CALC,
    [],
    CALC,
    settings={
        "lspAgent.plugins.dirs": [
            str(PLUGIN_FIXTURES / "curated-marketplace" / "plugins" / "deploy-kit"),
            str(PLUGIN_FIXTURES / "broken" / "bad-manifest"),
        ]
    },
    claude_settings={"pluginConfigs": {"deploy-kit@inline": {"options": {"api_token": SECRET}}}},
)
SECOND_HUNK_LINE = CALC.splitlines().index("def sub(a, b):") + 1


@pytest.fixture(scope="session")
def vsix() -> Path:
    """Build with the project's script: npm ci, eslint, vsce package (its prepublish script
    runs tsc --noEmit and esbuild), unit tests."""
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


def test_vsce_package_builds_the_bundle_itself(vsix: Path, tmp_path: Path) -> None:
    """`vsce package` from a checkout with no bundle: its `vscode:prepublish` script builds one
    (publishing runs the same script)."""
    extension = ROOT / "vscode-extension"
    for built in ("dist", "out"):
        shutil.rmtree(extension / built, ignore_errors=True)
    out = tmp_path / "clean.vsix"
    result = subprocess.run(
        ["npx", "--no-install", "vsce", "package", "--out", str(out)],
        stdin=subprocess.DEVNULL,
        cwd=extension,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(out) as packaged:
        assert "extension/dist/extension.js" in packaged.namelist()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


# The server with its log in a file ($1), shown when a case fails.
LOGGED_SERVER = 'exec "$0" -m lsp_agent serve 2>>"$1"'


@pytest.mark.parametrize("name", CASES)
def test_review_in_real_vscode(name: str, vsix: Path, env: dict[str, str], tmp_path: Path) -> None:
    """quickfix: "Fix with Claude" on a diagnostic, accept all. fixfile: "Fix Diagnostics in
    File" with the diagnostic forwarded. hunks: reject one hunk, accept the other. edit: "Ask
    Claude..." code action, edit the proposal, then accept: the user's text lands. buttons:
    each of the diff editor's title buttons, clicked; Reject All with a reason. changes: after
    an acceptEdits run, the change set tree, one hunk reverted, the run rewound. reopen: the
    review announced without taking focus, its diff closed and opened again. permission:
    Bash asks through VS Code's own message request; "Allow once" lets it run. questions:
    AskUserQuestion in quick picks, answered with "Other..." and typed words, then two ticked
    options of a multi-select question. provider: the model provider from the settings screen.
    missing: a server command that does not exist gives a clear message. plugins: "Show
    Plugins" lists the loaded plugin, the failed one and the problem, no sensitive value."""
    missing = [
        str(p)
        for p in (CODE_SERVER, Path("/usr/bin/chromium"), HERE / "node_modules" / "playwright-core")
        if not p.exists()
    ]
    assert not missing, f"run scripts/install-code-server.sh first; missing: {missing}"
    case = CASES[name]
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / case.file).write_text(case.before)
    if case.hook:
        hook = {"type": "command", "command": "touch hook-ran"}
        (workspace / ".claude").mkdir()
        (workspace / ".claude" / "settings.json").write_text(
            json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [hook]}]}})
        )
    if case.claude_settings:
        claude = Path(env["HOME"]) / ".claude"
        claude.mkdir(parents=True, exist_ok=True)
        (claude / "settings.json").write_text(json.dumps(case.claude_settings))
    scenario = {"responses": case.responses}
    with fake_anthropic_process(scenario, {"cwd": str(workspace)}, case.fake) as base_url:
        steps = run_in_code_server(case, base_url, workspace, vsix, env, tmp_path)
    # The edit went to the editor's buffer, not behind it to the disk.
    assert (workspace / case.file).read_text() == case.before, steps
    if case.marker:
        assert (workspace / case.marker).exists(), steps
    if case.absent:
        assert not (workspace / case.absent).exists(), steps


def run_in_code_server(
    case: Case, base_url: str, workspace: Path, vsix: Path, env: dict[str, str], tmp_path: Path
) -> str:
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    server_log_path = tmp_path / "lsp-agent.log"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(
        json.dumps(
            {
                "lspAgent.server.command": case.server_command
                or ["/bin/sh", "-c", LOGGED_SERVER, sys.executable, str(server_log_path)],
                "workbench.startupEditor": "none",
                # VS Code in a browser saves after a delay by default; the desktop does not,
                # and the check that edits reach the buffer, not the disk, needs it off.
                "files.autoSave": "off",
                "workbench.tips.enabled": False,
                "security.workspace.trust.enabled": case.restricted,
                "security.workspace.trust.startupPrompt": "never",
                "extensions.autoCheckUpdates": False,
                "extensions.autoUpdate": False,
                "telemetry.telemetryLevel": "off",
                "chat.commandCenter.enabled": False,
                **{
                    key: value.replace("{fake}", base_url) if isinstance(value, str) else value
                    for key, value in case.settings.items()
                },
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
            *([] if case.restricted else ["--disable-workspace-trust"]),
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
        screenshot = ARTIFACTS / f"{case.artifact or case.mode}.png"
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
                "FILE": case.file,
                "EXPECTED": case.after,
                "MODE": case.mode,
                "SECOND_HUNK_LINE": str(SECOND_HUNK_LINE),
                "SCREENSHOT": str(screenshot),
                "SECRET": SECRET,
                "FINAL_SCREENSHOT": os.environ.get("FINAL_SCREENSHOT", ""),
                "REVIEW_SCREENSHOT": os.environ.get("REVIEW_SCREENSHOT", ""),
            },
        )
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    server_log = (tmp_path / "code-server.log").read_text(errors="replace")
    agent_log = server_log_path.read_text(errors="replace") if server_log_path.exists() else ""
    assert result.returncode == 0, (
        result.stderr
        + "\n--- code-server log ---\n"
        + server_log[-4000:]
        + "\n--- lsp-agent log ---\n"
        + agent_log[-6000:]
    )
    return result.stderr
