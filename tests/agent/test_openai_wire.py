"""The chat-completions translation on data: request conversion, and chunk lists folded through
the reducer into the content the loop sees (one `check` helper per direction)."""

from __future__ import annotations

from typing import Any

from lsp_agent.agent.model.providers.openai_wire import (
    ChatTranslator,
    to_chat,
    translate_completion,
)
from lsp_agent.agent.model.reducer import MessageSnapshot, accumulate


def fold(chunks: list[dict[str, Any]]) -> MessageSnapshot:
    translator = ChatTranslator("m")
    snapshot = MessageSnapshot()
    for chunk in chunks:
        for event in translator.feed(chunk):
            snapshot = accumulate(event, snapshot)
    for event in translator.finish():
        snapshot = accumulate(event, snapshot)
    return snapshot


def check(chunks: list[dict[str, Any]], content: list[dict[str, Any]], stop: str | None) -> None:
    snapshot = fold(chunks)
    assert snapshot.content == content
    assert snapshot.stop_reason == stop
    assert snapshot.done is (stop is not None)


def delta(finish: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": fields, "finish_reason": finish}]}


def call(index: int, arguments: str, **head: Any) -> dict[str, Any]:
    function = {"arguments": arguments, **({"name": head.pop("name")} if "name" in head else {})}
    return {"index": index, **head, "function": function}


def test_text_and_reasoning() -> None:
    check(
        [
            delta(reasoning_content="think"),
            delta(content="hel"),
            delta(content="lo"),
            delta("stop"),
        ],
        [
            {"type": "thinking", "thinking": "think", "signature": ""},
            {"type": "text", "text": "hello"},
        ],
        "end_turn",
    )


def test_tool_call_fragments_interleaved_by_index() -> None:
    check(
        [
            delta(tool_calls=[call(0, "", id="a", name="Read")]),
            delta(tool_calls=[call(1, '{"pa', id="b", name="LS")]),
            delta(tool_calls=[call(0, '{"file_path": ')]),
            delta(tool_calls=[call(1, 'th": "."}')]),
            delta(tool_calls=[call(0, '"x"}')]),
            delta("tool_calls"),
        ],
        [
            {"type": "tool_use", "id": "a", "name": "Read", "input": {"file_path": "x"}},
            {"type": "tool_use", "id": "b", "name": "LS", "input": {"path": "."}},
        ],
        "tool_use",
    )


def test_ollama_whole_calls_with_stop_mean_tool_use() -> None:
    check(
        [delta(tool_calls=[call(0, '{"path": "."}', id="c", name="LS")]), delta("stop")],
        [{"type": "tool_use", "id": "c", "name": "LS", "input": {"path": "."}}],
        "tool_use",
    )


def test_length_cut_tool_input_is_truncated_not_sent() -> None:
    snapshot = fold([delta(tool_calls=[call(0, '{"file_', id="c", name="Write")]), delta("length")])
    assert snapshot.stop_reason == "max_tokens" and snapshot.truncated == {0}


def test_usage_from_the_final_chunk() -> None:
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 7,
        "prompt_tokens_details": {"cached_tokens": 60},
    }
    snapshot = fold([delta(content="x"), delta("stop"), {"choices": [], "usage": usage}])
    assert snapshot.usage == {"input_tokens": 40, "output_tokens": 7, "cache_read_input_tokens": 60}


def test_a_stream_without_finish_reason_is_not_done() -> None:
    check([delta(content="cut off")], [], None)


def test_non_streamed_completion() -> None:
    completion = {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": "ok",
                    "tool_calls": [
                        {
                            "id": "t",
                            "type": "function",
                            "function": {"name": "LS", "arguments": "{}"},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ]
    }
    snapshot = MessageSnapshot()
    for event in translate_completion(completion, "m"):
        snapshot = accumulate(event, snapshot)
    assert snapshot.content == [
        {"type": "text", "text": "ok"},
        {"type": "tool_use", "id": "t", "name": "LS", "input": {}},
    ]


def test_request_conversion() -> None:
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "AAA"},
    }
    request = {
        "model": "m",
        "max_tokens": 100,
        "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
        "tools": [{"name": "Read", "description": "d", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "look"}, image]},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hm", "signature": "s"},
                    {"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "a"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": [{"type": "text", "text": "A"}, image],
                    },
                    {"type": "text", "text": "go on"},
                ],
            },
        ],
    }
    data_url = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA"}}
    assert to_chat(request)["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "look"}, data_url]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "t1",
                    "type": "function",
                    "function": {"name": "Read", "arguments": '{"file_path": "a"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "A"},
        {"role": "user", "content": [data_url, {"type": "text", "text": "go on"}]},
    ]
    assert to_chat(request)["tools"][0]["function"]["parameters"] == {"type": "object"}
