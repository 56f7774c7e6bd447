"""The LSP end-to-end "Fix with Claude" flow once with the OpenAI-compatible provider: a real
`lsp-agent serve` over stdio, a fake Ollama-style endpoint, the edit as a versioned
workspace/applyEdit the editor approves."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from pytest_lsp import LanguageClient

from lsp_agent.testing.fake_openai import FakeOpenAI
from tests.e2e.agent_harness import HELLO, Harness, read_then_edit, run_fix
from tests.e2e.conftest import StartServer, start_server, workspace  # noqa: F401 (fixtures)
from tests.e2e.editor import Editor


class FixRun(NamedTuple):
    harness: Harness
    uri: str
    done: dict[str, Any]


def ollama(root: Path) -> FakeOpenAI:
    """A fake Ollama that reads hello.py and fixes its greeting."""
    scenario = {"responses": read_then_edit("print('hello')", "print('hello, world')")}
    return FakeOpenAI(scenario, variables={"cwd": str(root)}, dialect="ollama")


async def fix_hello(client: LanguageClient, fake: FakeOpenAI, root: Path) -> FixRun:
    h = Harness(client, Editor(client), fake, root)
    (root / "hello.py").write_text(HELLO)
    uri = h.editor.open(root / "hello.py")
    return FixRun(h, uri, await run_fix(h, uri))


async def test_fix_diagnostic_through_an_openai_compatible_endpoint(
    start_server: StartServer,  # noqa: F811
    workspace: Path,  # noqa: F811
) -> None:
    async with ollama(workspace) as fake:
        client = await start_server(
            extra_env={
                "LSP_AGENT_PROVIDER": "openai",
                "OPENAI_BASE_URL": fake.openai_url,
                "LSP_AGENT_MODEL": "qwen2.5-coder:7b",
            }
        )
        h, uri, done = await fix_hello(client, fake, workspace)
    assert done["subtype"] == "success", done
    assert h.editor.text(uri) == "def greet():\n    print('hello, world')\n"
    assert (workspace / "hello.py").read_text() == HELLO  # the buffer changed, not the disk
    [sent] = h.editor.applied_edits
    assert sent.edit.document_changes
    assert fake.violations == []
    assert [r.body["model"] for r in fake.requests] == ["qwen2.5-coder:7b"] * 3
    statuses = [e["status"] for e in h.editor.stream if e["kind"] == "proposal"]
    assert statuses == ["pending", "applied"]
