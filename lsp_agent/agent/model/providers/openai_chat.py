"""Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, llama.cpp, vLLM, LM Studio,
OpenRouter, LiteLLM) as a model client: the request is translated on the way out and the chunks
on the way back (`openai_wire`), so retries, cancellation and the reducer are the Messages
API client's own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.model.client import ClientConfig, ModelClient, OnEvent
from lsp_agent.agent.model.errors import APIError, StreamErrorEvent
from lsp_agent.agent.model.providers.anthropic_family import settings_price
from lsp_agent.agent.model.providers.openai_wire import (
    ChatTranslator,
    to_chat,
    translate_completion,
)
from lsp_agent.agent.model.reducer import MessageSnapshot, accumulate
from lsp_agent.agent.ports import CancelToken
from lsp_agent.settings import Settings

if TYPE_CHECKING:
    import httpx

# Context windows by model-name prefix (the longest match wins). Local servers decide their own
# (Ollama's num_ctx, llama.cpp's --ctx-size): set `contextWindow` to match.
CONTEXT_WINDOWS = {
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-5": 400_000,
    "o3": 200_000,
    "o4": 200_000,
    "gpt-oss": 131_072,
}
UNKNOWN_CONTEXT_WINDOW = 32_768  # errs small: compaction comes early rather than too late


def openai_config(settings: Settings, environ: Mapping[str, str], endpoint: str) -> ClientConfig:
    variable = settings.openaiApiKeyEnv
    headers = tuple(
        (name.strip(), value.strip())
        for name, _, value in (h.partition(":") for h in settings.openaiHeaders)
        if name.strip()
    )
    return dataclasses.replace(
        ClientConfig.from_env(environ),
        base_url=endpoint,
        api_key=environ.get(variable) or None if variable else None,
        auth_token=None,
        auth_required=False,  # local servers take no key
        auth_hint=f"set {variable or 'OPENAI_API_KEY'} to the endpoint's key",
        endpoint_hint="OPENAI_BASE_URL (or the setting openaiBaseUrl)",
        context_window=settings.contextWindow or None,
        price=settings_price(settings, free=True),
        extra_headers=headers,
    )


def context_window(model: str) -> int:
    matches = [prefix for prefix in CONTEXT_WINDOWS if model.startswith(prefix)]
    return CONTEXT_WINDOWS[max(matches, key=len)] if matches else UNKNOWN_CONTEXT_WINDOW


class OpenAIClient(ModelClient):
    provider = "The OpenAI-compatible endpoint"
    server_tools: frozenset[str] = frozenset()  # chat completions has none

    def __init__(self, config: ClientConfig, model: str = "") -> None:
        super().__init__(config)
        self.model = model  # the configured model: what Claude names mean on this endpoint

    def context_window(self, model: str) -> int | None:
        return self.config.context_window or context_window(model)

    async def prepare(self, body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
        headers = {"content-type": "application/json", **dict(self.config.extra_headers)}
        if self.config.api_key:
            headers["authorization"] = f"Bearer {self.config.api_key}"
        if (
            body["model"].startswith("claude-")
            and self.model
            and not self.model.startswith("claude-")
        ):
            # A subagent's `model: haiku` names a Claude model this endpoint does not serve.
            body = {**body, "model": self.model}
        return f"{self.config.base_url}/chat/completions", to_chat(body), headers

    def status_error(self, response: httpx.Response) -> APIError:
        error = super().status_error(response)
        text = error.message.lower()
        if (
            response.status_code in (400, 404, 500)
            and "tool" in text
            and ("support" in text or "jinja" in text)
        ):
            # Ollama: "... does not support tools"; llama.cpp without --jinja: "tools param
            # requires --jinja flag". An agent without tools would be a silent plain chat.
            return APIError(
                "this model cannot call tools, which the agent needs: choose a model with "
                f"tool support (for llama.cpp, start llama-server with --jinja). ({error.message})",
                status=error.status,
                error_type="invalid_request_error",
            )
        return error

    async def read(
        self, response: httpx.Response, cancel: CancelToken, on_event: OnEvent | None
    ) -> MessageSnapshot:
        model = ""  # chunks name the model; the loop falls back to its own when they do not
        if response.headers.get("content-type", "").startswith("application/json"):
            # The server ignored `stream` and sent the whole completion.
            completion = json.loads(await response.aread())
            return _fold(translate_completion(completion, model), MessageSnapshot(), on_event)
        return await _read_chunks(response, ChatTranslator(model), cancel, on_event)


async def _read_chunks(
    response: httpx.Response,
    translator: ChatTranslator,
    cancel: CancelToken,
    on_event: OnEvent | None,
) -> MessageSnapshot:
    from httpx_sse import EventSource

    snapshot = MessageSnapshot()
    check, loads = cancel.check, json.loads
    feed = translator.feed
    async for sse in EventSource(response).aiter_sse():
        check()
        data = sse.data
        if data == "[DONE]" or data.strip() == "[DONE]":
            break
        chunk = loads(data)
        if chunk.get("error"):
            _raise_stream_error(chunk["error"])
        for event in feed(chunk):
            snapshot = accumulate(event, snapshot)
            if on_event is not None:
                on_event(event, snapshot)
    return _fold(translator.finish(), snapshot, on_event)


def _raise_stream_error(error: Any) -> None:
    """An `error` chunk inside a 200 stream (vLLM, OpenRouter): retried like Claude's."""
    fields = error if isinstance(error, dict) else {}
    raise StreamErrorEvent(
        str(fields.get("type") or fields.get("code") or "api_error"),
        str(fields.get("message") or error),
    )


def _fold(
    events: list[dict[str, Any]], snapshot: MessageSnapshot, on_event: OnEvent | None
) -> MessageSnapshot:
    for event in events:
        snapshot = accumulate(event, snapshot)
        if on_event is not None:
            on_event(event, snapshot)
    return snapshot
