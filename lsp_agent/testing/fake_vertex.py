"""A scripted fake of Claude on Vertex AI: the Messages API stream at Vertex's URL shape.

Requests must go to `/v1/projects/{project}/locations/{region}/publishers/anthropic/models/
{model}:streamRawPredict` with `Authorization: Bearer {token}`, a body without `model` and with
`anthropic_version: vertex-2023-10-16`; the rest is checked and answered as `FakeAnthropic` does.

    async with FakeVertex(scenario, token="ya29.test") as fake:
        env = {"CLAUDE_CODE_USE_VERTEX": "1", "ANTHROPIC_VERTEX_BASE_URL": fake.vertex_url, ...}
"""

from __future__ import annotations

import re
from typing import Any

from lsp_agent.testing.api_rules import check_request
from lsp_agent.testing.fake_anthropic import FakeAnthropic, RecordedRequest

_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)"
    r"/publishers/anthropic/models/(?P<model>[^/:]+):streamRawPredict$"
)


class FakeVertex(FakeAnthropic):
    def __init__(self, *args: Any, token: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = token
        self.calls: list[dict[str, str]] = []  # project, region and model of each request

    @property
    def vertex_url(self) -> str:
        return f"{self.base_url}/v1"

    def routes(self, path: str) -> bool:
        return _PATH.match(path) is not None

    def check(self, record: RecordedRequest) -> list[str]:
        where = _PATH.match(record.path.split("?")[0])
        assert where is not None
        self.calls.append(where.groupdict())
        problems = []
        if record.headers.get("authorization") != f"Bearer {self.token}":
            problems.append("missing or wrong Authorization: Bearer token")
        body = dict(record.body) if isinstance(record.body, dict) else {}
        if body.pop("anthropic_version", None) != "vertex-2023-10-16":
            problems.append("anthropic_version must be vertex-2023-10-16 in the body")
        if "model" in body:
            problems.append("model belongs in the URL, not the body")
        body["model"] = where["model"]
        headers = {**record.headers, "x-api-key": "vertex"}  # auth was checked above
        return problems + check_request(headers, body, self._tool_ids, self._thinking)
