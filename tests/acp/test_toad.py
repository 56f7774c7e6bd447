"""`lsp-agent acp` in Toad (PyPI: batrachian-toad), a terminal ACP client, run under tmux with
its screen read back: a streamed answer, a permission answered with its diff shown, the edit
applied, and the usage the agent reported shown in Toad's status line.

`scripts/install-toad.sh` installs Toad and the Python 3.14 it needs into `.cache/toad`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.acp.conftest import fake

TOAD = Path(__file__).resolve().parents[2] / ".cache" / "toad" / "bin" / "toad"
AGENT = Path(sys.executable).parent / "lsp-agent"

pytestmark = pytest.mark.skipif(
    not TOAD.exists() or shutil.which("tmux") is None, reason="run scripts/install-toad.sh"
)


class Screen:
    """A tmux server of its own (its socket in the test's directory) running one program."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    async def tmux(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            "tmux", "-S", str(self.socket), *args, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await process.communicate()
        return out.decode(errors="replace")

    async def text(self) -> str:
        return await self.tmux("capture-pane", "-p", "-J")

    async def until(self, found: Callable[[str], bool], what: str, timeout: float = 90) -> str:
        """The screen once `found` holds; fails with the screen after `timeout`."""
        screen = ""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not found(screen := await self.text()):
                    await asyncio.sleep(0.2)
        assert found(screen), f"never saw {what}:\n{screen}"
        return screen


@contextlib.asynccontextmanager
async def toad(env: dict[str, str], cwd: Path, socket: Path) -> AsyncIterator[Screen]:
    command = [str(TOAD), "acp", f"{AGENT} acp", str(cwd)]
    screen = Screen(socket)
    assignments = [f"{k}={v}" for k, v in {**env, "TERM": "xterm-256color"}.items()]
    shell = shlex.join(["env", "-i", *assignments, *command])
    await screen.tmux("new-session", "-d", "-x", "160", "-y", "50", shell)
    try:
        yield screen
    finally:  # Toad goes, the agent sees its stdin close and exits
        await screen.tmux("kill-server")


async def test_toad_runs_a_turn_with_an_approved_edit(
    acp_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url}
        async with toad(env, workspace, tmp_path / "tmux.sock") as screen:
            # The session is ready once its modes are shown (keys typed before then are lost).
            await screen.until(lambda s: "Ask before edits" in s, "the session's mode")
            await screen.tmux("send-keys", "-t", "0", "fix the greeting")
            await screen.until(lambda s: "fix the greeting" in s, "the prompt typed")
            await screen.tmux("send-keys", "-t", "0", "Enter")
            # The question, with the edit's diff (its new line) shown for review.
            await screen.until(
                lambda s: "Allow" in s and "print('hello, world')" in s, "the question and diff"
            )
            await screen.tmux("send-keys", "-t", "0", "a")
            done = await screen.until(
                lambda s: "I changed the greeting to 'hello, world'." in s, "the answer"
            )
    assert "Let me look at the file first." in done
    assert "Read " in done and "Edit " in done  # the tool calls
    assert "1.3K" in done  # usage_update: 1322 tokens in context
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert server.violations == []
