"""WebFetch and WebSearch through the real loop: a local HTTP server serves the pages, and the
fake API answers the side requests (the fast model's reading, the server-side web search)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.agent.conftest import run_scenario

PAGE = (
    "<html><head><title>T</title><script>x()</script></head>"
    "<body><h1>Release notes</h1><p>Version <b>2.0</b> is out.</p></body></html>"
)


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/page": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()),
            "/moved": (302, {"Location": "/page"}, b""),
            "/away": (302, {"Location": f"http://localhost:{port}/page"}, b""),
            "/file.bin": (200, {"Content-Type": "application/octet-stream"}, b"\0\1\2"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def call(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def text(value: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": value}]}


async def test_webfetch_reads_a_page_with_the_fast_model(workspace: Path, site: str) -> None:
    responses = [
        call("WebFetch", {"url": f"{site}/moved", "prompt": "Which version is out?"}),
        text("Version 2.0 is out."),  # the fast model's answer over the page
        text("Done."),
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    [result] = run.tool_results()
    assert result["content"] == "Version 2.0 is out." and not result.get("is_error")
    side = run.fake.requests[1].body
    assert side["model"] == "claude-haiku-4-5"
    asked = side["messages"][0]["content"]
    assert "# Release notes" in asked and "**2.0**" in asked and "x()" not in asked
    assert "Which version is out?" in asked


async def test_webfetch_reports_other_hosts_and_binaries(workspace: Path, site: str) -> None:
    responses = [
        call("WebFetch", {"url": f"{site}/away", "prompt": "p"}),
        call("WebFetch", {"url": f"{site}/file.bin", "prompt": "p"}),
        call("WebFetch", {"url": "ftp://example.com/x", "prompt": "p"}),
        text("Done."),
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    away, binary, ftp = run.tool_results()
    assert (
        "REDIRECT DETECTED" in away["content"]
        and f"localhost:{site.rsplit(':', 1)[1]}" in away["content"]
    )
    assert binary["is_error"] and "application/octet-stream" in binary["content"]
    assert ftp["is_error"] and "http or https" in ftp["content"]
    assert len(run.fake.requests) == 4  # no side request for pages that were not read


async def test_webfetch_needs_permission(workspace: Path, site: str) -> None:
    run = await run_scenario(
        {"responses": [call("WebFetch", {"url": f"{site}/page", "prompt": "p"}), text("No.")]},
        workspace,
    )
    [denied] = run.tool_results()
    assert denied["is_error"] and "not granted" in denied["content"]


async def test_websearch_uses_the_server_side_search(workspace: Path) -> None:
    search_turn = {
        "content": [
            {
                "type": "server_tool_use",
                "id": "srvtoolu_1",
                "name": "web_search",
                "input": {"query": "lsp"},
            },
            {
                "type": "web_search_tool_result",
                "tool_use_id": "srvtoolu_1",
                "content": [
                    {
                        "type": "web_search_result",
                        "title": "LSP spec",
                        "url": "https://lsp.test/spec",
                        "encrypted_content": "e",
                    }
                ],
            },
            {"type": "text", "text": "The LSP spec is at lsp.test."},
        ],
        "usage": {"server_tool_use": {"web_search_requests": 1}},
    }
    query = {"query": "language server protocol", "allowed_domains": ["lsp.test"]}
    responses = [call("WebSearch", query), search_turn, text("Done.")]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    [result] = run.tool_results()
    assert 'Web search results for query: "language server protocol"' in result["content"]
    links = json.loads(result["content"].split("Links: ", 1)[1].split("\n", 1)[0])
    assert links == [{"title": "LSP spec", "url": "https://lsp.test/spec"}]
    [tool] = run.fake.requests[1].body["tools"]
    assert tool["type"] == "web_search_20250305" and tool["allowed_domains"] == ["lsp.test"]
    assert run.result.usage["web_search_requests"] == 1
