"""A scripted fake of Claude on Amazon Bedrock: InvokeModelWithResponseStream with AWS
event-stream frames (prelude and message CRC32 checksums), from the same scenarios as
`FakeAnthropic`.

Requests must go to `/model/{model id}/invoke-with-response-stream` with a body without `model`
or `stream` and with `anthropic_version: bedrock-2023-05-31`, and carry either the expected
Bearer token or a SigV4 signature that the fake recomputes (with botocore) from the request it
received and the credentials it was given. Each Messages API event becomes one `chunk` frame
(`{"bytes": base64(event)}`); `fail: error_event` sends a `throttlingException` frame.

    async with FakeBedrock(scenario, credentials=("AKID", "SECRET", None)) as fake:
        env = {"CLAUDE_CODE_USE_BEDROCK": "1", "ANTHROPIC_BEDROCK_BASE_URL": fake.base_url, ...}
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import struct
import zlib
from typing import Any
from urllib.parse import unquote

from lsp_agent.testing.api_rules import check_request
from lsp_agent.testing.fake_anthropic import FakeAnthropic, RecordedRequest

_PATH = re.compile(r"^/model/(?P<model>[^/]+)/invoke-with-response-stream$")
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/bedrock/"
    r"aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?Signature=(?P<signature>[0-9a-f]{64})$"
)


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: prelude (lengths + CRC), string headers, payload, CRC."""
    encoded = b"".join(
        bytes([len(name)])
        + name.encode()
        + b"\x07"
        + struct.pack(">H", len(value))
        + value.encode()
        for name, value in ((n, v) for n, v in headers.items())
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def chunk_frame(event: dict[str, Any]) -> bytes:
    data = base64.b64encode(json.dumps(event).encode()).decode()
    headers = {
        ":event-type": "chunk",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return frame(headers, json.dumps({"bytes": data}).encode())


class FakeBedrock(FakeAnthropic):
    def __init__(
        self,
        *args: Any,
        credentials: tuple[str, str, str | None] | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.credentials = credentials
        self.token = token
        self.models: list[str] = []  # the model id of each request

    def routes(self, path: str) -> bool:
        return _PATH.match(path) is not None

    def check(self, record: RecordedRequest) -> list[str]:
        where = _PATH.match(record.path.split("?")[0])
        assert where is not None
        model = unquote(where["model"])
        self.models.append(model)
        problems = self._check_auth(record)
        body = dict(record.body) if isinstance(record.body, dict) else {}
        if body.pop("anthropic_version", None) != "bedrock-2023-05-31":
            problems.append("anthropic_version must be bedrock-2023-05-31 in the body")
        if "model" in body or "stream" in body:
            problems.append("model and stream do not belong in a Bedrock body")
        body.update(model=model, stream=True)
        headers = {**record.headers, "x-api-key": "aws", "anthropic-version": "2023-06-01"}
        return problems + check_request(headers, body, self._tool_ids, self._thinking)

    def _check_auth(self, record: RecordedRequest) -> list[str]:
        authorization = record.headers.get("authorization", "")
        if self.token is not None:
            ok = authorization == f"Bearer {self.token}"
            return [] if ok else ["missing or wrong Authorization: Bearer token"]
        assert self.credentials is not None, "give the fake a token or credentials"
        signed = _AUTH.match(authorization)
        if signed is None:
            return ["no SigV4 Authorization header"]
        if signed["key"] != self.credentials[0]:
            return ["signed with another access key"]
        if signed["signature"] != self._signature(record, signed):
            return ["SigV4 signature does not match the request"]
        return []

    def _signature(self, record: RecordedRequest, signed: re.Match[str]) -> str:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        names = signed["signed"].split(";")
        headers = {name: record.headers[name] for name in names if name in record.headers}
        url = f"http://{record.headers['host']}{record.path}"
        request = AWSRequest(record.method, url, data=record.raw, headers=headers)
        request.context["timestamp"] = record.headers.get("x-amz-date", "")
        auth = SigV4Auth(Credentials(*self.credentials), "bedrock", signed["region"])  # type: ignore[misc]
        canonical = auth.canonical_request(request)
        return str(auth.signature(auth.string_to_sign(request, canonical), request))

    async def _error(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        error_type: str,
        message: str,
        headers: dict[str, str],
    ) -> None:
        payload = json.dumps({"message": message}).encode()
        head = [
            f"HTTP/1.1 {status} Error",
            "content-type: application/json",
            f"x-amzn-ErrorType: {error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/",
            f"content-length: {len(payload)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()

    async def _stream(
        self,
        response: dict[str, Any],
        request: dict[str, Any],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        headers = {":exception-type": "throttlingException", ":message-type": "exception"}
        error = frame(headers, b'{"message":"Too many requests"}')
        frames = [chunk_frame(e) for e in self.events_for(response, request)]
        content_type = "application/vnd.amazon.eventstream"
        return await self.play(response, frames, error, reader, writer, content_type=content_type)
