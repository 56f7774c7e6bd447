"""Redaction beyond tool results: every log record as it is made, whichever
handler writes it (stderr, a file, the editor), tracebacks included; and a streamed answer
whose pieces split a secret."""

from __future__ import annotations

import io
import logging

from lsp_agent import credentials

SECRET = "sk-log-redaction-test-0123456789"


def test_a_logged_secret_is_redacted_in_messages_and_tracebacks() -> None:
    credentials.remember({"ANTHROPIC_API_KEY": SECRET, "HOME": "/home/someone-long"})
    credentials.redact_logs()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.log_redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.info("request with key %s", SECRET)
        try:
            raise ValueError(f"bad key {SECRET}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert SECRET not in written
    assert "request with key [redacted ANTHROPIC_API_KEY]" in written
    assert "ValueError: bad key [redacted ANTHROPIC_API_KEY]" in written
    assert credentials.redact("/home/someone-long") == "/home/someone-long"  # not a credential


def test_a_secret_split_across_streamed_pieces_is_still_redacted() -> None:
    credentials.remember({"ANTHROPIC_API_KEY": SECRET})
    redactor = credentials.StreamRedactor()
    pieces = ["Your key is sk-", "log-redac", "tion-test-0123456789", " and sk-l", "ater"]
    out = [redactor.feed(p) for p in pieces]
    out.append(redactor.flush())
    assert "".join(out) == "Your key is [redacted ANTHROPIC_API_KEY] and sk-later"
    assert all(SECRET[:6] not in piece for piece in out[:2])  # held back, not sent early
