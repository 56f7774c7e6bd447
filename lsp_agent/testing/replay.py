"""A fake API that replays a real-tool-calls scenario (`shared/reference/real-tool-calls/`).

Turn N of a conversation answers the request that already holds N assistant messages. The main
conversation is the scenario's `turns`; a `thread` answers the conversation whose first user
message contains its `prompt_contains` (a subagent's). Any other request (a tool's own request
to the model, such as WebSearch's) gets a short text answer. Each turn's checks (`result_ok`,
`result_contains`, `result_lacks`) judge the tool results its request carries; failures are
collected in `failures`, and `unserved()` lists the turns no request reached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic


def load_replay(path: Path, workspace: Path) -> dict[str, Any]:
    """The scenario with `{ws}` standing for `workspace`."""
    text = path.read_text(encoding="utf-8")
    scenario: dict[str, Any] = json.loads(text)

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{ws}", str(workspace))
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    filled: dict[str, Any] = fill(scenario)
    return filled


class ReplayAnthropic(FakeAnthropic):
    def __init__(self, scenario: dict[str, Any]) -> None:
        super().__init__({"responses": []})
        self.replay = scenario
        self.conversations: dict[str, list[dict[str, Any]]] = {"main": scenario["turns"]}
        self.matchers: list[tuple[str, str]] = []
        for thread in scenario.get("threads", []):
            self.conversations[thread["name"]] = thread["turns"]
            self.matchers.append((thread["prompt_contains"], thread["name"]))
        self.served: dict[str, set[int]] = {name: set() for name in self.conversations}
        self.failures: list[str] = []

    def next_response(self, body: dict[str, Any]) -> dict[str, Any] | None:
        messages = body.get("messages", [])
        name = self._conversation(messages)
        if name is None:
            return {
                "content": [{"type": "text", "text": "(a side request, answered by the replay)"}]
            }
        turn_index = sum(1 for m in messages if m.get("role") == "assistant")
        turns = self.conversations[name]
        if turn_index >= len(turns):
            self.failures.append(f"{name}: a request after the last scripted turn")
            return None
        turn = turns[turn_index]
        self.served[name].add(turn_index)
        self._check(f"{name} turn {turn_index}", turn, messages)
        blocks = [{k: v for k, v in b.items() if k != "source"} for b in turn["respond"]]
        return {"content": blocks, "stop_reason": turn.get("stop_reason")}

    def unserved(self) -> list[str]:
        return [
            f"{name} turn {i}"
            for name, turns in self.conversations.items()
            for i in range(len(turns))
            if i not in self.served[name]
        ]

    def _conversation(self, messages: list[dict[str, Any]]) -> str | None:
        first = _text(messages[0]["content"]) if messages else ""
        found = next((name for needle, name in self.matchers if needle in first), None)
        if found is None and self.replay["prompt"] in first:
            return "main"
        return found

    def _check(self, where: str, turn: dict[str, Any], messages: list[dict[str, Any]]) -> None:
        last = messages[-1] if messages else {}
        blocks = last.get("content") if last.get("role") == "user" else None
        results = [
            b for b in blocks or [] if isinstance(b, dict) and b.get("type") == "tool_result"
        ]
        text = "\n".join(_text(b.get("content", "")) for b in results)
        if turn.get("result_ok"):
            for result in results:
                if result.get("is_error"):
                    content = _text(result.get("content", ""))[:400]
                    self.failures.append(f"{where}: {result['tool_use_id']} failed: {content}")
        for needle in turn.get("result_contains", []):
            if needle not in text:
                self.failures.append(f"{where}: results lack {needle!r}")
        for needle in turn.get("result_lacks", []):
            if needle in text:
                self.failures.append(f"{where}: results contain {needle!r}")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            _text(b.get("text", b.get("content", ""))) for b in content if isinstance(b, dict)
        )
    return ""
