"""`http` hooks: the event's JSON POSTed to a URL; a 2xx response body that is a JSON object is
read like a command hook's JSON output; an empty one changes nothing; any other body, a non-2xx
status or a connection failure is a non-blocking error, as in Claude Code. Header values may
name environment variables (`$VAR`, `${VAR}`), but only those the hook lists in
`allowedEnvVars`, and never a provider credential (the tools' scrubbed environment), so no
configuration can send the API key to a hook's server."""

from __future__ import annotations

import os
import re

from lsp_agent import credentials
from lsp_agent.agent.claude.hooks_config import HookCommand

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


# (exit code: None when timed out, stdout, stderr, timed out), as a command hook's.
Posted = tuple[int | None, str, str, bool]


async def post_hook(hook: HookCommand, body: bytes) -> Posted:
    import httpx

    environ = credentials.scrubbed(os.environ)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return environ.get(name, "") if name in hook.allowed_env else ""

    headers = {k: _VAR.sub(fill, v) for k, v in hook.headers}
    headers.setdefault("content-type", "application/json")
    try:
        async with httpx.AsyncClient(timeout=hook.timeout) as client:
            response = await client.post(hook.command, content=body, headers=headers)
    except httpx.TimeoutException:
        return None, "", "", True
    except httpx.HTTPError as exc:
        return 1, "", f"could not reach the hook: {exc}", False
    if not response.is_success:
        return 1, "", f"HTTP {response.status_code}", False
    text = response.text
    if text.strip() and not text.lstrip().startswith("{"):
        # Claude Code: a 2xx body that is not a JSON object is an error, never model context.
        return (
            1,
            "",
            f"the hook answered with text, not a JSON object: {text.strip()[:200]!r}",
            False,
        )
    return 0, text, "", False
