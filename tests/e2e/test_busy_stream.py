"""A fast model stream does not flood the editor: the deltas that arrive together reach the
client as one `lspAgent/stream` text notification, whole and in order (issue 17; the latency
this buys is measured by bench/busy_latency.py)."""

from __future__ import annotations

from tests.e2e.agent_harness import HELLO, StartAgent

ANSWER = "".join(f"word{i} " for i in range(4000))  # 4-character deltas: thousands of them


async def test_deltas_that_arrive_together_are_sent_as_one(start_agent: StartAgent) -> None:
    h = await start_agent([{"content": [{"type": "text", "text": ANSWER}]}])
    h.fake._max_text = 4  # the model's deltas: 1 to 4 characters
    h.fake._max_chunk = 1 << 22  # ... and the whole answer in one network write
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "talk"})
    done = await h.editor.done(started["sessionId"])
    assert done["result"] == ANSWER
    texts = [e["text"] for e in h.editor.stream if e["kind"] == "text"]
    assert "".join(texts) == ANSWER
    deltas = len(ANSWER) // 4
    assert len(texts) < deltas / 10, f"{len(texts)} notifications for about {deltas} deltas"
    # A tool call or the end flushes the text first: nothing after `done`.
    kinds = [e["kind"] for e in h.editor.stream]
    assert kinds[-1] == "done" and kinds.index("done") > max(
        i for i, k in enumerate(kinds) if k == "text"
    )
