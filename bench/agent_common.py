"""Shared by the agent benchmarks: a fake Anthropic server in its own process (so its work is
not timed with ours), serving a scenario built in code, with no delays and large chunks."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

API_KEY = "sk-ant-bench-key"


@contextmanager
def fake_server(responses: list[dict[str, Any]], max_chunk: int = 65536) -> Iterator[str]:
    """Yields the base URL of a fake API process serving `responses` in order."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "scenario.json"
        scenario.write_text(json.dumps({"responses": responses}))
        command = [
            sys.executable,
            "-m",
            "lsp_agent.testing.fake_anthropic",
            str(scenario),
            "--max-chunk",
            str(max_chunk),
            "--max-fragment",
            "64",
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            yield line.strip().rsplit(" ", 1)[-1]
        finally:
            process.kill()
            process.wait()


def request(text: str = "hi", model: str = "claude-sonnet-4-5") -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
    }
