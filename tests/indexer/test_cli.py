"""`lsp-agent index` and `lsp-agent symbols`, run as real subprocesses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.test_cli import run

FIXTURES = Path(__file__).parent / "fixtures"


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURES, root)
    return root


def test_index_json_summary_then_warm(env: dict[str, str], tmp_path: Path) -> None:
    root = workspace(tmp_path)
    first = run("index", str(root), "--json", env=env)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["files"] == summary["parsed"] == 10
    assert summary["symbols"] > 90 and len(summary["languages"]) == 10
    assert Path(summary["database"]).is_relative_to(Path(env["LSP_AGENT_CACHE_DIR"]))
    phases = dict(summary["phases"])  # where the build's time went
    assert list(phases)[:2] == ["scan", "parse and store"] and "search file" in phases
    assert (
        0 < sum(s for n, s in phases.items() if not n.startswith("of which")) <= summary["seconds"]
    )
    second = json.loads(run("index", str(root), "--json", env=env).stdout)
    assert second["parsed"] == 0 and second["files"] == 10
    assert "search file" not in dict(second["phases"])  # nothing parsed, nothing rewritten


def test_index_text_summary(env: dict[str, str], tmp_path: Path) -> None:
    result = run("index", env=env, cwd=workspace(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("10 files, ")
    assert "python 1" in result.stdout
    assert "\ntime: scan " in result.stdout and ", parse and store " in result.stdout


def test_index_rejects_a_missing_directory(env: dict[str, str], tmp_path: Path) -> None:
    result = run("index", str(tmp_path / "nope"), env=env)
    assert result.returncode == 2 and "not a directory" in result.stderr


def test_symbols_query_json_lines(env: dict[str, str], tmp_path: Path) -> None:
    root = workspace(tmp_path)
    result = run("symbols", str(root), "fetch_user", "--json", env=env)
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout.splitlines()[0])
    assert first == {
        "name": "fetch_user",
        "kind": "function",
        "path": str(root / "sample.py"),
        "line": 23,
        "column": 11,
        "end_line": 24,
        "container": "",
        "language": "python",
        "signature": "async def fetch_user(user_id: int) -> User:",
    }


def test_symbols_all_with_limit_and_query_from_cwd(env: dict[str, str], tmp_path: Path) -> None:
    root = workspace(tmp_path)
    listed = run("symbols", str(root), "--limit", "3", "--json", env=env).stdout.splitlines()
    assert len(listed) == 3
    found = run("symbols", "Greeter", env=env, cwd=root).stdout.splitlines()
    assert found[0].split()[:3] == ["class", "Greeter", "sample.js:4"]
