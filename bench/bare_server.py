"""The baseline for bench/startup.py: a pygls server with no features at all."""

from pygls.lsp.server import LanguageServer

LanguageServer("bare", "0").start_io()
