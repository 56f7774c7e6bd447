"""Credentials never leave: which variables are credentials, how the agent's process stops
exposing them, and redaction of their values as a second line of defence.

The model's API key (and any provider's) is read once; no tool subprocess (Bash, hooks, MCP
servers) inherits it unless the user names the variable in `toolEnvPassthrough`. Removing a
variable from `os.environ` does not change `/proc/<pid>/environ` (the kernel shows the block the
process was started with), so `lsp-agent serve` and `ask` re-execute themselves once at start
with the credentials taken out of the environment and handed over through an anonymous
in-memory file (`memfd`) whose descriptor only the new process image holds; it reads and closes
it at once. Linux only (elsewhere there is no /proc to read them from). Standard library only:
this runs before anything else is imported.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

FD_VARIABLE = "LSP_AGENT_CREDENTIALS_FD"
# Model providers' credentials (Anthropic, Bedrock, Vertex, Foundry, OpenAI-style gateways).
_EXACT = {
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "AZURE_CLIENT_SECRET",
}
_PATTERN = re.compile(r"_(API_KEY|AUTH_TOKEN|ACCESS_TOKEN|SECRET_KEY|CLIENT_SECRET)$")
MIN_REDACTED_LENGTH = 8  # shorter values would redact ordinary words


def is_credential(name: str) -> bool:
    return name in _EXACT or bool(_PATTERN.search(name))


def scrubbed(environ: Mapping[str, str], keep: Iterable[str] = ()) -> dict[str, str]:
    """`environ` without credentials, except those named in `keep`."""
    kept = set(keep)
    return {k: v for k, v in environ.items() if k in kept or not is_credential(k)}


def hide_from_environ(argv: list[str] | None = None) -> None:
    """Re-execute this process with the credentials moved out of its environment block (see the
    module's docstring). Returns only when there is nothing to hide or no way to do it."""
    found = {k: v for k, v in os.environ.items() if is_credential(k)}
    if not found or FD_VARIABLE in os.environ or not sys.platform.startswith("linux"):
        return
    if not hasattr(os, "memfd_create"):
        return
    fd = os.memfd_create("lsp-agent-credentials", 0)  # not close-on-exec: the new image reads it
    os.write(fd, json.dumps(found).encode())
    os.lseek(fd, 0, os.SEEK_SET)
    env = {**scrubbed(os.environ), FD_VARIABLE: str(fd)}
    argv = argv or [sys.executable, *sys.orig_argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)


def take_handed_over() -> dict[str, str]:
    """The credentials `hide_from_environ` handed to this process (read once, fd closed)."""
    value = os.environ.pop(FD_VARIABLE, None)
    if value is None or not value.isdigit():
        return {}
    fd = int(value)
    try:
        with os.fdopen(fd, "rb") as handle:
            data = json.loads(handle.read() or b"{}")
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


class Redactor:
    """Replaces the exact values of known secrets with `[redacted NAME]`."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        found = [(k, v) for k, v in environ.items() if is_credential(k)]
        # Longest first, so a value containing another is replaced whole.
        self.secrets = sorted(
            ((k, v) for k, v in found if len(v) >= MIN_REDACTED_LENGTH),
            key=lambda item: -len(item[1]),
        )
        remember(environ)  # whoever holds a secret, everything leaving the process hides it

    def __call__(self, text: str) -> str:
        for name, value in self.secrets:
            if value in text:
                text = text.replace(value, f"[redacted {name}]")
        return text

    def __bool__(self) -> bool:
        return bool(self.secrets)


# -- everything that leaves the process ----------------------------------------------------
# Tool results are redacted by the run's own Redactor; what else leaves (the model request as a
# whole, hook output, transcripts, logs, messages to the editor) goes through the process-wide
# set below, filled by every Redactor made from an environment (so by every agent assembled)
# and by the front ends at start.
_KNOWN: dict[str, str] = {}  # secret value -> variable name
_known: list[tuple[str, str]] = []  # (name, value), longest value first


def remember(environ: Mapping[str, str], *, all_secret: bool = False) -> None:
    """Add `environ`'s credential values to the set everything leaving the process is
    redacted against. `all_secret`: every value is one, whatever its name (a plugin's
    `sensitive` options)."""
    global _known
    added = False
    for name, value in environ.items():
        secret = all_secret or is_credential(name)
        if secret and len(value) >= MIN_REDACTED_LENGTH and value not in _KNOWN:
            _KNOWN[value] = name
            added = True
    if added:
        _known = sorted(((n, v) for v, n in _KNOWN.items()), key=lambda item: -len(item[1]))


def known() -> bool:
    """Whether any secret is remembered (else redacting is a no-op)."""
    return bool(_known)


def redact(text: str) -> str:
    """`text` with every remembered secret replaced by `[redacted NAME]`."""
    for name, value in _known:
        if value in text:
            text = text.replace(value, f"[redacted {name}]")
    return text


def redact_bytes(data: bytes) -> bytes:
    """`redact` for UTF-8 bytes."""
    for name, value in _known:
        secret = value.encode()
        if secret in data:
            data = data.replace(secret, f"[redacted {name}]".encode())
    return data


def redact_json(value: T) -> T:
    """A JSON-shaped value with every remembered secret redacted from its strings (the value
    itself when none occurs, so the common case costs one serialisation)."""
    if not _known:
        return value
    text = json.dumps(value, ensure_ascii=False)
    redacted = redact(text)
    return value if redacted == text else json.loads(redacted)


def redact_logs() -> None:
    """Redact every log record's message and traceback as it is made, whatever handler (stderr,
    a log file, the editor's window/logMessage) writes it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _known:
            try:
                message = record.getMessage()
            except Exception:  # a malformed call: leave it to the handler to report
                return record
            record.msg, record.args = redact(message), None
            if record.exc_info:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class StreamRedactor:
    """`redact` for text that arrives in pieces (a streamed answer): a secret split across
    pieces is still caught, by holding back the end of the text while it could be the start of
    one. `flush` gives what is held when the stream ends or something else is sent."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        if not _known:
            held, self._held = self._held, ""
            return held + text
        data = redact(self._held + text)
        keep = 0
        for _, value in _known:
            for size in range(min(len(value) - 1, len(data)), keep, -1):
                if data.endswith(value[:size]):
                    keep = size
                    break
        self._held = data[len(data) - keep :] if keep else ""
        return data[: len(data) - keep]

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held
