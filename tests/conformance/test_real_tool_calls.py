"""Real Claude tool calls, replayed through `lsp-agent ask` (a conformance suite).

Each scenario of `shared/reference/real-tool-calls/` (read from there, never copied) plays the
model's side of a real session against a fresh workspace: every call must be accepted with the
effect the real session saw, judged by the scenario's own checks.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from lsp_agent.testing.replay import ReplayAnthropic, load_replay
from tests.agent.test_cli_ask import ask, cli_env

SUITE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "real-tool-calls"
SCENARIOS = sorted(SUITE.glob("r*.json")) if SUITE.is_dir() else []
# Scenarios whose calls use tools not built yet (issue 12); strict, so each must be taken off
# this list when its tools land.
MISSING: dict[str, str] = {}
# WebFetch's real URLs must not leave the machine: every proxy variable points at a closed port
# on loopback (the fake API itself is on 127.0.0.1, which is not proxied).
OFFLINE = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.skipif(not SCENARIOS, reason=f"the suite is not at {SUITE}")
@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            id=p.stem,
            marks=[pytest.mark.xfail(strict=True, reason=f"not built: {MISSING[p.stem]}")]
            if p.stem in MISSING
            else [],
        )
        for p in SCENARIOS
    ],
)
async def test_real_tool_calls_replay(path: Path, tmp_path: Path) -> None:
    workspace, home = tmp_path / "ws", tmp_path / "home"
    workspace.mkdir()
    home.mkdir()
    scenario = load_replay(path, workspace)
    _write_tree(workspace, scenario.get("workspace", {}))
    _write_tree(home, scenario.get("home", {}))
    for command in scenario.get("setup", []):
        env = {**os.environ, "HOME": str(home)}
        subprocess.run(command, shell=True, cwd=workspace, check=True, env=env)
    async with ReplayAnthropic(scenario) as replay:
        env = {**cli_env(tmp_path, replay), **OFFLINE, "HOME": str(home)}
        done = await ask(
            env,
            "--cwd",
            str(workspace),
            "--permission-mode",
            scenario["mode"],
            "--max-turns",
            "200",
            "--output-format",
            "json",
            scenario["prompt"],
        )
    assert replay.failures == [], "\n".join(replay.failures)
    assert replay.unserved() == [], done.stderr
    assert json.loads(done.stdout)["subtype"] == "success", done.stderr
    check = scenario.get("check") or {}
    for relative, expect in check.get("files", {}).items():
        text = (workspace / relative).read_text(encoding="utf-8")
        for needle in expect.get("contains", []):
            assert needle in text, f"{relative} lacks {needle!r}"
        for needle in expect.get("lacks", []):
            assert needle not in text, f"{relative} still has {needle!r}"
    for relative in check.get("absent", []):
        assert not (workspace / relative).exists(), f"{relative} should be gone"
