"""`lsp-agent doctor`: what this installation can do, without revealing any secret."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://api.anthropic.com"
PACKAGES = ("pygls", "lsprotocol", "tree-sitter", "httpx", "httpx-sse")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--cwd", type=Path, default=None, help="project directory (default: current directory)"
    )


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _credentials(environ: dict[str, str]) -> str | None:
    """Which variable carries the credentials: only its name, never its value."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        if environ.get(name):
            return name
    return None


def collect(project: Path, environ: dict[str, str]) -> dict[str, Any]:
    from indexer.languages import check_all
    from lsp_agent import __version__, paths
    from lsp_agent.agent.claude import files as claude_files
    from lsp_agent.agent.claude.trust import TrustStore, supplied
    from lsp_agent.cli_trust import describe

    found = supplied(project)
    return {
        "lsp_agent": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "packages": {name: _version(name) for name in PACKAGES},
        "grammars": check_all(),
        "api_key": _credentials(environ),
        "api_base_url": environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL,
        "settings_files": [
            {"scope": f.scope, "path": str(f.path)} for f in claude_files.settings_files(project)
        ],
        "memory_files": [str(p) for p in claude_files.memory_files(project)],
        "workspace_trust": describe(project, TrustStore(), found.fingerprint()),
        "project_supplies": found.lines(),
        "cache_dir": str(paths.cache_dir()),
        "data_dir": str(paths.data_dir()),
    }


def _render(report: dict[str, Any]) -> str:
    grammars = report["grammars"]
    loaded = [name for name, error in grammars.items() if error is None]
    lines = [
        f"lsp-agent {report['lsp_agent']} on Python {report['python']} ({report['executable']})",
        "packages: " + ", ".join(f"{k} {v or 'MISSING'}" for k, v in report["packages"].items()),
        f"grammars: {len(loaded)}/{len(grammars)} load ({', '.join(loaded) or 'none'})",
    ]
    lines += [f"  {name}: FAILED ({error})" for name, error in grammars.items() if error]
    key = report["api_key"]
    lines.append(
        f"API key: configured ({key})"
        if key
        else "API key: NOT configured (set ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN)"
    )
    lines.append(f"API base URL: {report['api_base_url']}")
    lines.append(
        "settings files: "
        + (", ".join(f"{f['path']} ({f['scope']})" for f in report["settings_files"]) or "none")
    )
    lines.append("CLAUDE.md files: " + (", ".join(report["memory_files"]) or "none"))
    lines.append(f"workspace trust: {report['workspace_trust']}")
    lines += [f"  {line}" for line in report["project_supplies"]]
    lines.append(f"cache dir: {report['cache_dir']}")
    lines.append(f"data dir: {report['data_dir']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    project = (args.cwd or Path.cwd()).resolve()
    report = collect(project, dict(os.environ))
    print(json.dumps(report, indent=2) if args.json else _render(report))
    failed = [name for name, error in report["grammars"].items() if error]
    missing = [name for name, version in report["packages"].items() if version is None]
    # A missing API key is a finding, not a failure: the index and navigation work without one.
    return 1 if failed or missing else 0
