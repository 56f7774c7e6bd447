"""`@path` and `@path#L5-10` in an Ask prompt: the file (or lines) reach the model attached to
the prompt, from the unsaved buffer when it is open; a path outside the workspace is refused
with a message to the user, and the prompt still runs."""

from __future__ import annotations

from tests.e2e.agent_harness import HELLO, StartAgent
from tests.e2e.conftest import wait_for_message

DONE = [{"content": [{"type": "text", "text": "Read them."}]}]


async def test_references_attach_files_and_line_ranges(start_agent: StartAgent) -> None:
    h = await start_agent(DONE)
    (h.workspace / "lib").mkdir()
    (h.workspace / "lib" / "util.py").write_text("one = 1\ntwo = 2\nthree = 3\nfour = 4\n")
    (h.workspace / "hello.py").write_text(HELLO)
    (h.workspace.parent / "secret.txt").write_text("TOP SECRET\n")
    (h.workspace / "keys.txt").write_text("key = sk-test-key\n")  # the server's API key
    uri = h.editor.open(h.workspace / "hello.py")
    h.editor.type(uri, "def greet():\n    print('unsaved')\n")
    prompt = "Compare @lib/util.py#L2-3 with @hello.py and @keys.txt, not @../secret.txt"
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": prompt})
    await h.editor.done(result["sessionId"])
    sent = h.fake.requests[0].body["messages"][0]["content"][0]["text"]
    util = h.workspace / "lib" / "util.py"
    assert (
        f'<attached-file path="{util}" lines="2-3">\ntwo = 2\nthree = 3\n</attached-file>' in sent
    )
    assert "one = 1" not in sent
    assert "print('unsaved')" in sent  # the buffer, not the disk
    assert "TOP SECRET" not in sent
    assert "sk-test-key" not in sent and "key = [redacted ANTHROPIC_API_KEY]" in sent
    assert "Not attached: @../secret.txt" in sent
    message = await wait_for_message(h.client, "secret.txt")
    assert "outside the workspace" in message
