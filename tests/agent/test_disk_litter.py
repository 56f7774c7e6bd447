"""No litter: the temp file of an atomic write killed mid-way is removed by the next write in
that directory (a file whose writer still runs is left alone)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lsp_agent.agent.disk import apply_to_disk
from lsp_agent.agent.ports import EditProposal

# A writer killed between writing its temp file and renaming it into place.
KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from lsp_agent.agent import disk
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
disk.atomic_write(Path(sys.argv[1]), b"x" * 1_000_000)
"""


def test_a_killed_writes_temp_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "big.py"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)], check=False)
    assert killed.returncode == -9
    [litter] = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert litter.stat().st_size == 1_000_000 and not target.exists()
    in_flight = tmp_path / f".other.py.lsp-agent-{os.getpid()}.abc123.tmp"  # a live writer's
    in_flight.write_text("")

    outcome = apply_to_disk(
        EditProposal(tmp_path / "small.py", None, "print(1)\n", "Write", "new file")
    )
    assert outcome.applied
    left = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert left == [in_flight.name, "small.py"]


def test_the_next_start_removes_a_killed_writes_temp_file_anywhere(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """No write needed: `lsp-agent ask` starting removes the litter its journal lists, in a
    directory no write will touch again, and leaves alone a same-named file it did not write."""
    workspace = tmp_path / "ws"
    target = workspace / "deep" / "big.py"
    target.parent.mkdir(parents=True)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(target)], env=env, check=False
    )
    assert killed.returncode == -9
    [litter] = [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    stranger = target.parent / ".x.py.lsp-agent-1.abc.tmp"  # pid 1 is alive and not ours
    stranger.write_text("")
    started = subprocess.run(
        [sys.executable, "-m", "lsp_agent", "ask", "--cwd", str(workspace), "hello"],
        env={**env, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9", "LSP_AGENT_MAX_RETRIES": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0  # no model to answer: only the start mattered
    assert not litter.exists() and stranger.exists()
    assert not list((Path(env["LSP_AGENT_DATA_DIR"]) / "pending-writes").iterdir())
