"""The `lsp-agent` command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lsp_agent import __version__


def run(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m lsp_agent ARGS...` as a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "lsp_agent", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,  # `index` over a corpus takes a while on a busy machine
    )


def test_version(env: dict[str, str]) -> None:
    result = run("--version", env=env)
    assert result.returncode == 0
    assert result.stdout.strip() == f"lsp-agent {__version__}"


def test_unknown_flag_prints_usage_and_exits_2(env: dict[str, str]) -> None:
    for args in (["--bogus"], ["serve", "--bogus"], ["serve", "--tcp", "nohost"], []):
        result = run(*args, env=env)
        assert result.returncode == 2, args
        assert "usage: lsp-agent" in result.stderr
        assert result.stdout == ""


def test_doctor_reports_without_revealing_the_key(env: dict[str, str], tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.json").write_text("{}")
    (project / "CLAUDE.md").write_text("be brief")
    secret = "sk-ant-test-SECRET-value"
    env = {**env, "ANTHROPIC_API_KEY": secret, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    result = run("doctor", "--json", env=env, cwd=project)
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["api_key"] == "ANTHROPIC_API_KEY"
    assert report["api_base_url"] == "http://127.0.0.1:9"
    assert all(error is None for error in report["grammars"].values())
    assert set(report["grammars"]) >= {"python", "typescript", "tsx", "go", "rust", "bash"}
    assert report["settings_files"] == [
        {"scope": "project", "path": str(project / ".claude" / "settings.json")}
    ]
    assert report["memory_files"] == [str(project / "CLAUDE.md")]
    assert report["cache_dir"] == env["LSP_AGENT_CACHE_DIR"]
    text = run("doctor", env=env, cwd=project)
    assert "API key: configured (ANTHROPIC_API_KEY)" in text.stdout
    assert secret not in text.stdout


def test_doctor_says_when_no_key_is_configured(env: dict[str, str]) -> None:
    result = run("doctor", env=env)
    assert result.returncode == 0
    assert "API key: NOT configured" in result.stdout
