"""Claude on Amazon Bedrock: InvokeModelWithResponseStream, signed with SigV4 (or a Bedrock API
key as a Bearer token), its AWS event-stream frames unwrapped into the Messages API's events.

The body is the Messages API's without `model` (it is in the URL) and `stream`, with Bedrock's
`anthropic_version`. Each event-stream `chunk` carries one Messages API event as base64 JSON;
an `exception` frame (throttling, a model stream error) is retried like an `error` event.
botocore (the optional extra `lsp-agent[bedrock]`) signs and decodes; it is imported on the
first request. Credentials come from the standard AWS chain, AWS_BEARER_TOKEN_BEDROCK, or, with
CLAUDE_CODE_SKIP_BEDROCK_AUTH, a gateway's ANTHROPIC_AUTH_TOKEN.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from lsp_agent.agent.model.client import ClientConfig, ModelClient, OnEvent
from lsp_agent.agent.model.errors import APIError, ConnectionDropped, http_error
from lsp_agent.agent.model.reducer import MessageSnapshot, accumulate
from lsp_agent.agent.ports import CancelToken

if TYPE_CHECKING:
    import httpx

BEDROCK_VERSION = "bedrock-2023-05-31"
BEDROCK_MODELS = {
    # From the 4.6 generation on, Bedrock's ids are Anthropic's, dateless, with `anthropic.`
    # (Opus 4.6 the last with `-v1`).
    "claude-fable-5": "anthropic.claude-fable-5",
    "claude-opus-5": "anthropic.claude-opus-5",
    "claude-sonnet-5": "anthropic.claude-sonnet-5",
    "claude-opus-4-8": "anthropic.claude-opus-4-8",
    "claude-opus-4-7": "anthropic.claude-opus-4-7",
    "claude-sonnet-4-6": "anthropic.claude-sonnet-4-6",
    "claude-opus-4-6": "anthropic.claude-opus-4-6-v1",
    "claude-opus-4-5": "anthropic.claude-opus-4-5-20251101-v1:0",
    "claude-sonnet-4-5": "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "claude-haiku-4-5": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-opus-4-1": "anthropic.claude-opus-4-1-20250805-v1:0",
    "claude-opus-4": "anthropic.claude-opus-4-20250514-v1:0",
    "claude-sonnet-4": "anthropic.claude-sonnet-4-20250514-v1:0",
}
_DATED = re.compile(r"^claude-[a-z0-9-]+-\d{8}$")
# Exceptions inside a 200 stream that a retry can help with.
RETRYABLE_EXCEPTIONS = frozenset(
    {
        "throttlingException",
        "modelStreamErrorException",
        "internalServerException",
        "serviceUnavailableException",
    }
)


def bedrock_model(model: str, region: str) -> str:
    """Anthropic's model id as Bedrock names it: the cross-region inference profile of the
    region's geography (`us.`, `eu.`, `apac.`). An id already in Bedrock's form, or an ARN,
    is sent as given."""
    if model.startswith(("arn:", "anthropic.")) or ".anthropic." in model:
        return model
    base = BEDROCK_MODELS.get(model)
    if base is None and _DATED.match(model):
        base = f"anthropic.{model}-v1:0"
    if base is None:
        return model
    geography = {"us": "us", "eu": "eu", "ap": "apac"}.get(region.split("-")[0])
    return f"{geography}.{base}" if geography else base


class _NoSecretsInDebugLogs(logging.Filter):
    """botocore logs the canonical request at debug level, and it holds the session token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("CanonicalRequest", "StringToSign", "Signature"))


class BedrockClient(ModelClient):
    betas_in_body = True
    provider = "Amazon Bedrock"
    server_tools: frozenset[str] = frozenset()  # Bedrock runs no Anthropic server tools

    def __init__(
        self,
        config: ClientConfig,
        region: str,
        *,
        sign: bool,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(config)
        self.region = region
        self.sign = sign  # SigV4 with the AWS chain (when no bearer token is given)
        self._environ = dict(environ or {})
        self._credentials: Any = None

    async def prepare(
        self, body: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | bytes, dict[str, str]]:
        model = quote(bedrock_model(body["model"], self.region), safe="")
        payload = {k: v for k, v in body.items() if k not in ("model", "stream")}
        payload["anthropic_version"] = BEDROCK_VERSION
        url = f"{self.config.base_url}/model/{model}/invoke-with-response-stream"
        content = json.dumps(payload).encode()  # bytes: the signature covers exactly these
        headers = {
            "content-type": "application/json",
            "accept": "application/vnd.amazon.eventstream",
        }
        if self.config.auth_token:
            headers["authorization"] = f"Bearer {self.config.auth_token}"
        elif self.sign:
            headers = await asyncio.to_thread(self._signed, url, content, headers)
        return url, content, headers

    def _signed(self, url: str, content: bytes, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        if self._credentials is None:
            self._credentials = _aws_credentials(self._environ, self.config.auth_hint)
        logging.getLogger("botocore.auth").addFilter(_FILTER)
        request = AWSRequest("POST", url, data=content, headers=headers)
        SigV4Auth(self._credentials, "bedrock", self.region).add_auth(request)
        return dict(request.headers.items())

    def status_error(self, response: httpx.Response) -> APIError:
        """Bedrock's errors: `{"message": ...}` and the type in `x-amzn-ErrorType`."""
        try:
            detail = str(response.json().get("message", ""))
        except (ValueError, AttributeError):
            detail = response.text[:200]
        error_type = response.headers.get("x-amzn-errortype", "api_error").split(":")[0]
        return http_error(
            response.status_code,
            error_type,
            detail,
            None,
            auth_hint=self.config.auth_hint,
            endpoint_hint=self.config.endpoint_hint,
        )

    async def read(
        self, response: httpx.Response, cancel: CancelToken, on_event: OnEvent | None
    ) -> MessageSnapshot:
        from botocore.eventstream import EventStreamBuffer, ParserError

        frames = EventStreamBuffer()
        snapshot = MessageSnapshot()
        try:
            async for data in response.aiter_bytes():
                cancel.check()
                frames.add_data(data)
                for message in frames:
                    event = _event_of(message.headers, message.payload)
                    if event is None:
                        continue
                    snapshot = accumulate(event, snapshot)
                    if on_event is not None:
                        on_event(event, snapshot)
        except ParserError as exc:  # a checksum or length that does not add up
            raise ConnectionDropped(f"corrupt event-stream frame ({type(exc).__name__})") from None
        return snapshot


_FILTER = _NoSecretsInDebugLogs()


def _event_of(headers: Mapping[str, Any], payload: bytes) -> dict[str, Any] | None:
    """The Messages API event one event-stream frame carries (None for other frames)."""
    kind = headers.get(":message-type")
    if kind == "exception" or kind == "error":
        name = str(headers.get(":exception-type") or headers.get(":error-code") or "api_error")
        try:
            detail = str(json.loads(payload).get("message", ""))
        except (ValueError, AttributeError):
            detail = payload[:200].decode(errors="replace")
        raise APIError(
            f"Bedrock stream error {name}: {detail}",
            error_type="overloaded_error" if name == "throttlingException" else name,
            retryable=name in RETRYABLE_EXCEPTIONS,
        )
    if headers.get(":event-type") != "chunk":
        return None
    # Decoded to str first: json.loads on bytes sniffs the encoding, per event.
    inner = base64.b64decode(json.loads(payload.decode())["bytes"]).decode()
    event: dict[str, Any] = json.loads(inner)
    return event


def _aws_credentials(environ: Mapping[str, str], hint: str) -> Any:
    """The host's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), else the
    standard chain (profiles, SSO, instance roles)."""
    try:
        import botocore.session
        from botocore.credentials import Credentials
    except ImportError:
        raise APIError(
            "Amazon Bedrock needs botocore: pip install 'lsp-agent[bedrock]' "
            "(or set AWS_BEARER_TOKEN_BEDROCK)",
            error_type="authentication_error",
        ) from None
    key, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return Credentials(key, secret, environ.get("AWS_SESSION_TOKEN") or None)
    from botocore.exceptions import BotoCoreError

    try:  # profiles, SSO caches, instance metadata: any of them may fail
        credentials = botocore.session.get_session().get_credentials()
        frozen = None if credentials is None else credentials.get_frozen_credentials()
    except BotoCoreError as exc:
        raise APIError(
            f"AWS credentials for Bedrock failed ({type(exc).__name__}): {hint}",
            error_type="authentication_error",
        ) from None
    if frozen is None:
        raise APIError(f"no AWS credentials for Bedrock: {hint}", error_type="authentication_error")
    return frozen
