"""WebFetch and WebSearch.

WebFetch fetches a page with httpx (http is upgraded to https except on loopback; a redirect to
another host is reported, not followed; size and time are bounded), turns HTML into markdown
with `markdownify`, and answers the model's prompt over it with a call to the fast model. Pages
are cached for 15 minutes. WebSearch asks the model API to run its server-side web search tool
and returns the results and the answer written over them; a provider without it says so.
Both are permission-checked like any tool (`WebFetch(domain:example.com)` rules).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urljoin, urlparse

from lsp_agent.agent.model.errors import APIError, ServerToolUnsupported
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg

MAX_BYTES = 10 * 1024 * 1024
MAX_MARKDOWN_CHARS = 100_000
MAX_REDIRECTS = 5
TIMEOUT_S = 30.0
CACHE_S = 15 * 60
LOOPBACK = ("localhost", "127.0.0.1", "::1")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml")
_cache: dict[str, tuple[float, str, str]] = {}  # url -> (fetched at, final url, markdown)


class WebFetch(BaseTool):
    name = "WebFetch"
    description = (
        "Fetches a URL, converts the page to markdown and answers `prompt` about it with a "
        "small, fast model. HTTP URLs are upgraded to HTTPS. When the URL redirects to another "
        "host, the result says so with the new URL: fetch that one. Pages are cached for 15 "
        "minutes. Read-only."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "url": {"type": "string", "format": "uri", "description": "The URL to fetch"},
            "prompt": {"type": "string", "description": "What to extract from the page"},
        },
        "required": ["url", "prompt"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        url, prompt = _url(arg(tool_input, "url", str)), arg(tool_input, "prompt", str)
        cached = _cache.get(url)
        if cached is not None and time.monotonic() - cached[0] < CACHE_S:
            final, markdown = cached[1], cached[2]
        else:
            fetched = await _fetch(url)
            if isinstance(fetched, ToolResult):
                return fetched
            final, markdown = fetched
            _cache[url] = (time.monotonic(), final, markdown)
        if ctx.ask_model is None:
            return ToolResult(f"Content of {final} (no model to ask here):\n\n{markdown}")
        request = {
            "max_tokens": 4096,
            "messages": [
                {
                    "role": "user",
                    "content": f"Web page content of {final}:\n---\n{markdown}\n---\n\n{prompt}\n\n"
                    "Answer from the content above only, concisely. Quote exact text where it "
                    "matters; say so when the page does not answer.",
                }
            ],
        }
        try:
            snapshot = await ctx.ask_model(request, fast=True)
        except APIError as exc:
            raise ToolError(
                f"fetched {final}, but asking the model about it failed: {exc}"
            ) from None
        return ToolResult(snapshot.text or "(the model wrote no answer)")


def _url(raw: str) -> str:
    parsed = urlparse(raw.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ToolError(f"url must be an http or https URL, got {raw!r}")
    if parsed.scheme == "http" and parsed.hostname not in LOOPBACK:
        parsed = parsed._replace(scheme="https")
    return parsed.geturl()


async def _fetch(url: str) -> tuple[str, str] | ToolResult:
    """(final URL, markdown), or a result telling the model why not (another host, binary)."""
    import httpx

    headers = {"User-Agent": "lsp-agent (WebFetch)", "Accept": "text/html, text/*;q=0.9, */*;q=0.5"}
    async with httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    if response.is_redirect:
                        target = urljoin(url, response.headers.get("location", ""))
                        if _host(target) != _host(url):
                            return ToolResult(
                                f"REDIRECT DETECTED: {url} redirects to another host: {target}\n"
                                "To read it, call WebFetch again with that URL."
                            )
                        url = target
                        continue
                    if response.status_code >= 400:
                        raise ToolError(f"{url} answered HTTP {response.status_code}")
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind and not kind.startswith(TEXT_TYPES):
                        return ToolResult(
                            f"{url} returned {kind} content, not a page to read", is_error=True
                        )
                    body = await _body(response)
            except httpx.TimeoutException:
                raise ToolError(f"{url} did not answer within {TIMEOUT_S:g} s") from None
            except httpx.HTTPError as exc:
                raise ToolError(f"fetching {url} failed: {exc}") from None
            text = body.decode(response.encoding or "utf-8", errors="replace")
            markdown = _markdown(text) if "html" in kind or "<html" in text[:500].lower() else text
            return url, markdown[:MAX_MARKDOWN_CHARS]
    raise ToolError(f"{url}: more than {MAX_REDIRECTS} redirects")


async def _body(response: Any) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise ToolError(f"the page is larger than {MAX_BYTES // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def _host(url: str) -> str:
    host = (urlparse(url).netloc or "").lower()
    return host.removeprefix("www.")


def _markdown(html: str) -> str:
    # Only when a page is fetched: markdownify and its BeautifulSoup cost an import.
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()  # code and styling, not content
    text: str = MarkdownConverter(heading_style="ATX").convert_soup(soup)
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip() or line == "")


class WebSearch(BaseTool):
    name = "WebSearch"
    description = (
        "Searches the web and returns result links with an answer written from them. Use it "
        "for current information beyond your knowledge. `allowed_domains` or "
        "`blocked_domains` narrow the sources. Cite the sources you use."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 2, "description": "The search query"},
            "allowed_domains": {"type": "array", "items": {"type": "string"}},
            "blocked_domains": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["query"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        query = arg(tool_input, "query", str).strip()
        if len(query) < 2:
            raise ToolError("query must have at least 2 characters")
        if ctx.ask_model is None:
            raise ToolError("web search is not available in this session")
        search: dict[str, Any] = {
            "type": "web_search_20250305",
            "name": "web_search",
            "max_uses": 8,
        }
        for key in ("allowed_domains", "blocked_domains"):
            domains = arg(tool_input, key, list, [])
            if domains:
                search[key] = [str(d) for d in domains]
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": f"Perform a web search for the query: {query}"}
        ]
        request = {"max_tokens": 4096, "messages": messages, "tools": [search]}
        links: list[dict[str, str]] = []
        texts: list[str] = []
        for _ in range(3):  # a long search may pause its turn; the API continues it
            try:
                snapshot = await ctx.ask_model(request, fast=False)
            except ServerToolUnsupported as exc:
                raise ToolError(
                    f"WebSearch is not available with this model provider: {exc.message}. "
                    "Use WebFetch on a URL you know instead."
                ) from None
            except APIError as exc:
                raise ToolError(
                    f"web search failed: {exc.message} (the provider may not offer the API's "
                    "server-side web search)"
                ) from None
            for block in snapshot.content:
                if block.get("type") == "web_search_tool_result":
                    links += _links(block)
                elif block.get("type") == "text" and block.get("text"):
                    texts.append(block["text"])
            if snapshot.stop_reason != "pause_turn":
                break
            messages.append({"role": "assistant", "content": snapshot.content})
        if not links and not texts:
            return ToolResult(f'No web results for "{query}".')
        return ToolResult(
            f'Web search results for query: "{query}"\n\nLinks: {json.dumps(links)}\n\n'
            + "\n".join(texts)
        )


def _links(block: dict[str, Any]) -> list[dict[str, str]]:
    content = block.get("content")
    if isinstance(content, dict):  # {"type": "web_search_tool_result_error", "error_code": ...}
        raise ToolError(f"web search failed: {content.get('error_code', 'unknown error')}")
    return [
        {"title": str(r.get("title", "")), "url": str(r.get("url", ""))}
        for r in content or []
        if isinstance(r, dict) and r.get("type") == "web_search_result"
    ]
