"""Logs never hold a credential's value: every record is redacted as it is made, whichever
handler writes it (stderr, a file, the editor), tracebacks included."""

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
