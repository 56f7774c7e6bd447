"""`lsp-agent doctor`: what this installation can do, without revealing any secret."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

PACKAGES = ("pygls", "lsprotocol", "tree-sitter", "httpx", "httpx-sse")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--cwd", type=Path, default=None, help="project directory (default: current directory)"
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="send the model one tiny request (a few tokens) to check the endpoint and credentials",
    )


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _provider(environ: dict[str, str]) -> dict[str, Any]:
    """The provider the settings choose, its endpoint and the names of the variables that
    carry its credentials: never their values."""
    from lsp_agent import settings
    from lsp_agent.agent.model.providers import ProviderError, choose

    config, _ = settings.merge([("environment", settings.env_layer(environ))])
    try:
        chosen = choose(config, environ)
    except ProviderError as exc:
        return {"name": None, "problem": str(exc), "credentials": [], "endpoint": None}
    return {
        "name": chosen.name,
        "chosen_by": chosen.chosen_by,
        "endpoint": chosen.endpoint,
        "credentials": list(chosen.credentials),
        "problem": chosen.problem,
        "model": config.model,
    }


def collect(project: Path, environ: dict[str, str]) -> dict[str, Any]:
    from indexer.languages import check_all
    from lsp_agent import __version__, paths
    from lsp_agent.agent.claude import files as claude_files
    from lsp_agent.agent.claude.trust import TrustStore, supplied
    from lsp_agent.cli_trust import describe

    provider = _provider(environ)
    found = supplied(project)
    return {
        "lsp_agent": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "packages": {name: _version(name) for name in PACKAGES},
        "grammars": check_all(),
        "provider": provider,
        "api_key": (provider["credentials"] or [None])[0],
        "api_base_url": provider["endpoint"],
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
    provider = report["provider"]
    if provider["name"] is None:
        lines.append(f"provider: NOT usable ({provider['problem']})")
    else:
        lines.append(
            f"provider: {provider['name']} (chosen by {provider['chosen_by']}), "
            f"model {provider['model']}"
        )
    key = report["api_key"]
    if key:
        lines.append(f"API key: configured ({', '.join(provider['credentials'])})")
    elif provider["name"] == "openai":
        lines.append("API key: none (fine for a local server)")
    else:
        lines.append(f"API key: NOT configured ({provider['problem']})")
    if key and provider["problem"]:
        lines.append(f"  missing: {provider['problem']}")
    lines.append(f"API base URL: {report['api_base_url']}")
    if "probe" in report:
        lines.append(f"probe: {report['probe']}")
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
    if args.probe:
        report["probe"] = probe(dict(os.environ))
    print(json.dumps(report, indent=2) if args.json else _render(report))
    failed = [name for name, error in report["grammars"].items() if error]
    missing = [name for name, version in report["packages"].items() if version is None]
    # A missing API key is a finding, not a failure: the index and navigation work without one.
    # A probe that was asked for and failed is a failure.
    probe_failed = str(report.get("probe", "")).startswith("FAILED")
    return 1 if failed or missing or probe_failed else 0


def probe(environ: dict[str, str]) -> str:
    """One tiny request through the same client a run would use: "ok ..." or the error
    (credentials redacted, as in every error the client raises)."""
    import asyncio
    import time

    from lsp_agent import settings
    from lsp_agent.agent.assembly import model_client
    from lsp_agent.agent.model.errors import APIError
    from lsp_agent.agent.ports import CancelToken

    config, _ = settings.merge([("environment", settings.env_layer(environ))])
    client = model_client(config, {**environ, "LSP_AGENT_MAX_RETRIES": "0"})
    request = {
        "model": config.model,
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "Reply with the word ok."}],
    }

    async def ask() -> str:
        started = time.monotonic()
        try:
            snapshot = await client.stream(request, cancel=CancelToken())
        except APIError as exc:
            return f"FAILED: {exc.message}"
        finally:
            await client.aclose()
        elapsed = (time.monotonic() - started) * 1000
        return f"ok ({snapshot.model or config.model} answered in {elapsed:.0f} ms)"

    return asyncio.run(ask())
