"""Streaming Messages API client: one `stream(request)` call is one model turn, retried as needed.

httpx is imported when the first request is made, not when this module is imported, so the LSP
server and `lsp-agent ask` start without paying for it.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from lsp_agent import credentials
from lsp_agent.agent.model.errors import (
    APIError,
    ConnectionDropped,
    ServerToolUnsupported,
    http_error,
)
from lsp_agent.agent.model.names import long_context
from lsp_agent.agent.model.pricing import Price, cost_usd
from lsp_agent.agent.model.reducer import MessageSnapshot, accumulate
from lsp_agent.agent.ports import CancelToken

if TYPE_CHECKING:
    import httpx

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
_RETRY_AFTER_CAP_S = 60.0
# A fast stream gives the event loop a turn after this long (checked every few events).
YIELD_AFTER_S = 0.004
YIELD_CHECK_EVERY = 16

T = TypeVar("T")
OnEvent = Callable[[dict[str, Any], MessageSnapshot], None]
OnRetry = Callable[[int, float, APIError, str], None]  # attempt, delay, error, model


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    fallback_after: int = 2  # consecutive overloads before switching to the fallback model

    def delay(self, attempt: int, error: APIError) -> float:
        if error.retry_after is not None and 0 <= error.retry_after <= _RETRY_AFTER_CAP_S:
            return error.retry_after
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return ceiling * (1 - 0.25 * random.random())  # jitter spreads out herds of clients


@dataclass(frozen=True)
class ClientConfig:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    auth_token: str | None = field(default=None, repr=False)
    connect_timeout: float = 10.0
    stall_timeout: float = 120.0  # no bytes for this long: the connection counts as dropped
    retry: RetryPolicy = RetryPolicy()
    # What an auth failure tells the user to set, and what a 404 tells them to check.
    auth_hint: str = "set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) to a valid key"
    auth_required: bool = True  # False: a gateway authenticates (Claude Code's SKIP_*_AUTH)
    endpoint_hint: str = "ANTHROPIC_BASE_URL"
    # Per-model overrides from the settings (None: the model tables decide).
    context_window: int | None = None
    price: Price | None = None
    extra_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientConfig:
        """Credentials and endpoint from Claude Code's variables; LSP_AGENT_* tune retries and
        timeouts (unparsable values fall back to the defaults)."""
        env = os.environ if env is None else env
        retry = RetryPolicy(
            max_retries=int(_number(env, "LSP_AGENT_MAX_RETRIES", RetryPolicy.max_retries)),
            base_delay=_number(env, "LSP_AGENT_RETRY_BASE_DELAY", RetryPolicy.base_delay),
        )
        return cls(
            base_url=(env.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            api_key=env.get("ANTHROPIC_API_KEY") or None,
            auth_token=env.get("ANTHROPIC_AUTH_TOKEN") or None,
            connect_timeout=_number(env, "LSP_AGENT_CONNECT_TIMEOUT", cls.connect_timeout),
            stall_timeout=_number(env, "LSP_AGENT_STALL_TIMEOUT", cls.stall_timeout),
            retry=retry,
        )

    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION, "content-type": "application/json"}
        headers.update(self.extra_headers)
        if self.api_key:
            headers["x-api-key"] = self.api_key
        elif self.auth_token:
            headers["authorization"] = f"Bearer {self.auth_token}"
        elif self.auth_required:
            raise APIError(f"no credentials: {self.auth_hint}", error_type="authentication_error")
        return headers

    def redact(self, text: str) -> str:
        secrets = [self.api_key, self.auth_token, *(value for _, value in self.extra_headers)]
        for secret in secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


async def race_cancel(awaitable: Awaitable[T], cancel: CancelToken) -> T:
    """Await `awaitable`, but raise Cancelled as soon as `cancel` fires, even mid-read."""
    if cancel.cancelled:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()  # never started: close it so it is not reported as un-awaited
        cancel.check()
    task = asyncio.ensure_future(awaitable)
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        cancel.check()
    return task.result()


class ModelClient:
    """Sends Messages API requests with `stream: true` and folds the events into a snapshot."""

    provider = "The Anthropic API"  # how errors name where requests go
    # The server tools (by `name`) this provider runs; a request for another fails at once.
    server_tools: frozenset[str] = frozenset({"web_search", "web_fetch"})
    # Whether a request's betas (`anthropic_beta`) go in its body (Bedrock, Vertex) rather
    # than the `anthropic-beta` header.
    betas_in_body = False

    def __init__(self, config: ClientConfig | None = None) -> None:
        self.config = config or ClientConfig.from_env()
        self._http: httpx.AsyncClient | None = None

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def context_window(self, model: str) -> int | None:
        """The model's context window when the provider or a setting knows it (None: the
        compaction module's default for Claude models)."""
        return self.config.context_window

    def cost_usd(self, model: str, usage: Mapping[str, int]) -> float:
        price = self.config.price
        if price is None:
            return cost_usd(model, usage)
        return cost_usd(model, usage, price)

    async def stream(
        self,
        request: dict[str, Any],
        *,
        cancel: CancelToken,
        on_event: OnEvent | None = None,
        on_retry: OnRetry | None = None,
        fallback_model: str | None = None,
    ) -> MessageSnapshot:
        """One model turn. Retries what can be retried; raises APIError or Cancelled."""
        policy = self.config.retry
        # The request as a whole (hook context, command output, memory, not only tool
        # results): a known secret's value never reaches the provider.
        request = credentials.redact_json(request)
        model = request["model"]
        missing = [
            str(tool.get("name"))
            for tool in request.get("tools") or ()
            if tool.get("type") not in (None, "custom")
            and tool.get("name") not in self.server_tools
        ]
        if missing:
            raise ServerToolUnsupported(self.provider, missing)
        attempt = overloads = 0
        while True:
            try:
                body = long_context({**request, "model": model, "stream": True})
                return await race_cancel(self._attempt(body, cancel, on_event), cancel)
            except APIError as error:
                error.message = self.config.redact(error.message)
                if not error.retryable or attempt >= policy.max_retries:
                    raise APIError(
                        error.message, status=error.status, error_type=error.error_type
                    ) from None
                overloads = overloads + 1 if error.overloaded else 0
                if fallback_model and overloads >= policy.fallback_after:
                    model, overloads = fallback_model, 0
                delay = policy.delay(attempt, error)
                attempt += 1
                if on_retry is not None:
                    on_retry(attempt, delay, error, model)
                await race_cancel(asyncio.sleep(delay), cancel)

    async def prepare(
        self, body: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | bytes, dict[str, str]]:
        """The URL, body (JSON, or the exact bytes to send) and headers of one request
        (providers change where and how)."""
        return f"{self.config.base_url}/v1/messages", body, self.config.headers()

    async def read(
        self, response: httpx.Response, cancel: CancelToken, on_event: OnEvent | None
    ) -> MessageSnapshot:
        """Fold a 200 response into a snapshot (providers with another wire format override)."""
        return await read_stream(response, cancel, on_event)

    def status_error(self, response: httpx.Response) -> APIError:
        """The APIError for a non-200 response (its body has been read)."""
        return _status_error(response, self.config)

    async def _attempt(
        self, body: dict[str, Any], cancel: CancelToken, on_event: OnEvent | None
    ) -> MessageSnapshot:
        import httpx

        http = self._client()
        url, payload, headers = await self.prepare(body)
        if isinstance(payload, dict) and "anthropic_beta" in payload and not self.betas_in_body:
            payload = dict(payload)
            betas = [headers.get("anthropic-beta", ""), *payload.pop("anthropic_beta")]
            headers = {**headers, "anthropic-beta": ",".join(b for b in betas if b)}
        try:
            content = payload if isinstance(payload, bytes) else None
            data = None if isinstance(payload, bytes) else payload
            async with http.stream(
                "POST", url, headers=headers, content=content, json=data
            ) as resp:
                # httpx-sse does not look at the status: an error body is JSON, not events.
                if resp.status_code != 200:
                    await resp.aread()
                    raise self.status_error(resp)
                snapshot = await self.read(resp, cancel, on_event)
        except httpx.TimeoutException as exc:
            raise ConnectionDropped(
                f"timed out ({type(exc).__name__}): no data from the API"
            ) from None
        except (httpx.TransportError, json.JSONDecodeError) as exc:
            raise ConnectionDropped(f"connection to the API failed: {type(exc).__name__}") from None
        if not snapshot.done:
            raise ConnectionDropped("the stream ended before message_stop")
        return snapshot

    def _client(self) -> httpx.AsyncClient:
        import httpx

        if self._http is None:
            timeout = httpx.Timeout(
                connect=self.config.connect_timeout,
                read=self.config.stall_timeout,
                write=self.config.stall_timeout,
                pool=self.config.connect_timeout,
            )
            self._http = httpx.AsyncClient(timeout=timeout)
        return self._http


async def read_stream(
    response: httpx.Response, cancel: CancelToken, on_event: OnEvent | None = None
) -> MessageSnapshot:
    """Fold a 200 response's server-sent events into a snapshot, checking `cancel` between
    events. Raises StreamErrorEvent on an `error` event; the caller checks `snapshot.done`."""
    from httpx_sse import EventSource

    snapshot = MessageSnapshot()
    check, loads = cancel.check, json.loads  # bound once: this loop runs per event
    clock, since_yield = time.perf_counter, time.perf_counter()
    count = 0
    async for sse in EventSource(response).aiter_sse():
        check()
        event = loads(sse.data)
        snapshot = accumulate(event, snapshot)
        if on_event is not None:
            on_event(event, snapshot)
        # The events of one network read are parsed without awaiting anything: a fast stream
        # would hold the event loop (the editor's requests, the index) for as long as its
        # reads last. Give the loop a turn every few milliseconds; cheap enough to check
        # the clock every few events.
        count += 1
        if not count % YIELD_CHECK_EVERY and clock() - since_yield > YIELD_AFTER_S:
            await asyncio.sleep(0)
            since_yield = clock()
    return snapshot


def _status_error(response: httpx.Response, config: ClientConfig) -> APIError:
    """An error response as APIError: Anthropic's, OpenAI's and Google's error bodies all keep
    the message in `error.message` (a gateway may answer with a bare string)."""
    error_type, detail = "api_error", ""
    try:
        error = response.json().get("error") or {}
        if isinstance(error, str):
            error = {"message": error}
        error_type = str(error.get("type") or error.get("status") or error_type)
        detail = str(error.get("message", ""))
    except (ValueError, AttributeError):
        detail = response.text[:200]
    return http_error(
        response.status_code,
        error_type,
        detail,
        _retry_after(response.headers),
        auth_hint=config.auth_hint,
        endpoint_hint=config.endpoint_hint,
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime  # rare: keep it off the start-up path

        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def with_cache_breakpoints(request: dict[str, Any]) -> dict[str, Any]:
    """A copy of `request` with cache_control on the last tool, the last system block and the
    last block of the two latest user messages (4 breakpoints, the API's maximum). The prefix
    up to each mark is then read from cache on the next turn of the loop."""
    mark = {"type": "ephemeral"}
    out = dict(request)
    if out.get("tools"):
        out["tools"] = [*out["tools"][:-1], {**out["tools"][-1], "cache_control": mark}]
    system = out.get("system")
    if isinstance(system, str) and system:
        system = [{"type": "text", "text": system}]
    if system:
        out["system"] = [*system[:-1], {**system[-1], "cache_control": mark}]
    messages = list(out.get("messages", []))
    user_indexes = [i for i, m in enumerate(messages) if m["role"] == "user"][-2:]
    for i in user_indexes:
        content = messages[i]["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        messages[i] = {
            **messages[i],
            "content": [*content[:-1], {**content[-1], "cache_control": mark}],
        }
    out["messages"] = messages
    return out
