"""Errors of the model client. Each carries whether a retry can help, so the retry policy is a
property of the error, not a table scattered through the client."""

from __future__ import annotations

# HTTP statuses worth retrying (the API's guidance): timeouts, conflicts, rate limits, overload.
RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})

_HINTS = {
    400: "the request was rejected as invalid",
    401: "authentication failed: {auth}",
    402: "billing problem on the account",
    403: "the credentials have no permission for this request (or this model or region)",
    404: "not found: check the model name and {endpoint}",
    413: "the request is too large (32 MB cap): shorten the conversation",
}


class APIError(Exception):
    """A failed model request. `message` never contains credentials (the client redacts)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str = "api_error",
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.retryable = retryable
        self.retry_after = retry_after

    @property
    def overloaded(self) -> bool:
        return self.status == 529 or self.error_type == "overloaded_error"


def http_error(
    status: int,
    error_type: str,
    detail: str,
    retry_after: float | None,
    *,
    auth_hint: str = "set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) to a valid key",
    endpoint_hint: str = "ANTHROPIC_BASE_URL",
) -> APIError:
    hint = _HINTS.get(status, "").format(auth=auth_hint, endpoint=endpoint_hint)
    text = f"HTTP {status} {error_type}: {detail}" if detail else f"HTTP {status} {error_type}"
    if hint:
        text = f"{hint} ({text})"
    return APIError(
        text,
        status=status,
        error_type=error_type,
        retryable=status in RETRYABLE_STATUSES,
        retry_after=retry_after,
    )


class ServerToolUnsupported(APIError):
    """The request asks for a server tool (run by the API itself, like web search) that this
    provider does not offer: said before anything is sent, since an endpoint that drops the
    tool lets the model answer as if it had used it."""

    def __init__(self, provider: str, tools: list[str]) -> None:
        super().__init__(
            f"{provider} does not offer the server tool {', '.join(tools)} (server tools run on "
            "the Anthropic API, Vertex AI and Microsoft Foundry)",
            error_type="invalid_request_error",
        )


class StreamErrorEvent(APIError):
    """An `error` event inside a 200 stream (typically overloaded_error): retryable."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(
            f"stream error {error_type}: {message}", error_type=error_type, retryable=True
        )


class ConnectionDropped(APIError):
    """The connection broke, stalled or ended before `message_stop`: retryable."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_type="connection_error", retryable=True)
