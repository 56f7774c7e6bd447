"""The one assembly: typed `Settings` plus what a front end provides -> a ready `Agent`.

The language server, `lsp-agent ask` and every future front end build their agents here, so a
setting means the same in each: `agent_options` maps every setting onto the engine's options,
`model_client` picks the provider (where requests go, with which credentials), and
`build_agent` picks the tools and wires the host's ports.

    host = Host(documents=..., edits=..., on_event=..., can_use_tool=..., index=...)
    agent = build_agent(settings, host, cwd=root, trusted=answer, add_dirs=folders)

`trusted` is the front end's decision about the folder (claude/trust.py): the server asks the
user, `lsp-agent ask` trusts the directory it runs in unless told otherwise. It has no default,
so no front end can forget it; the host's `extensions` must be loaded with the same answer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.events import EventSink
from lsp_agent.agent.model.names import ModelNames, model_names
from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.ports import CanUseTool, DocumentSource, EditSink, SymbolIndex
from lsp_agent.settings import Settings

if TYPE_CHECKING:
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.loop import Agent
    from lsp_agent.agent.model.client import ModelClient
    from lsp_agent.agent.transcript import Transcript


@dataclass
class Host:
    """What a front end plugs into the engine (see ports.py for each seam)."""

    documents: DocumentSource
    edits: EditSink
    on_event: EventSink | None = None
    # Decides the "ask" cases; None (headless) means ask is deny.
    can_use_tool: CanUseTool | None = None
    index: SymbolIndex | None = None
    # The user's `.claude/` setup, loaded by the host (it owns the MCP approval prompt).
    extensions: Extensions | None = None
    # Credentials, ANTHROPIC_BASE_URL and the client's tuning variables come from here.
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    # A transcript the host already opened (the server knows a new session's id at once).
    transcript: Transcript | None = None


def provider_name(settings: Settings, environ: Mapping[str, str]) -> str:
    """The provider these settings choose (what the model aliases name depends on it); one
    that cannot be used is reported when the client is made, not here."""
    from lsp_agent.agent.model.providers import ProviderError, choose

    try:
        return choose(settings, environ).name
    except ProviderError:
        return settings.provider


def _names(settings: Settings, environ: Mapping[str, str] | None) -> ModelNames:
    return model_names(environ or {}, provider_name(settings, environ or {}))


def agent_options(
    settings: Settings,
    *,
    cwd: Path,
    add_dirs: Sequence[Path] = (),
    environ: Mapping[str, str] | None = None,
    **run: Any,
) -> AgentOptions:
    """Every agent setting mapped onto the engine's options; `run` holds what belongs to one
    run rather than to the settings (resume, allowed_tools, a session's own permission mode).
    `environ` holds Claude Code's model variables (what `sonnet`, `opus`, `haiku` name)."""
    names = model_names(environ or {}, provider_name(settings, environ or {}))
    options: dict[str, Any] = {
        "cwd": cwd,
        "add_dirs": list(add_dirs),
        "model": names.resolve(settings.model),
        "fallback_model": names.resolve(settings.fallbackModel) or None,
        "small_fast_model": names.small_fast,
        "model_aliases": dict(names.aliases),
        "max_tokens": settings.maxTokens,
        "thinking_budget": settings.thinkingBudget,
        "permission_mode": settings.permissionMode,
        "max_turns": settings.maxTurns,
        "max_budget_usd": settings.maxBudgetUsd or None,
        "env_passthrough": list(settings.toolEnvPassthrough),
    }
    return AgentOptions(**{**options, **{k: v for k, v in run.items() if v is not None}})


def model_client(settings: Settings, environ: Mapping[str, str]) -> ModelClient:
    """Where model requests go and with which credentials: the provider the settings choose
    (`provider`, else Claude Code's CLAUDE_CODE_USE_* variables, else the Anthropic API at
    `apiBaseUrl` / ANTHROPIC_BASE_URL). Raises ProviderError when it is not usable as set."""
    from lsp_agent.agent.model.providers import make_client  # httpx: loaded on first use

    return make_client(settings, environ)


def build_agent(
    settings: Settings,
    host: Host,
    *,
    cwd: Path,
    trusted: bool,
    add_dirs: Sequence[Path] = (),
    client: ModelClient | None = None,
    **run: Any,
) -> Agent:
    """A ready Agent for `host`. Raises transcript.SessionNotFound for an unknown `resume`,
    providers.ProviderError for a provider that is not usable as configured."""
    from lsp_agent.agent.loop import Agent
    from lsp_agent.agent.tools.registry import default_tools
    from lsp_agent.credentials import Redactor

    main = host.extensions.main_agent if host.extensions is not None else None
    model_unset = run.get("model") is None and settings.model == Settings().model
    if main is not None:  # the `agent` setting: its prompt and model are the session's
        if run.get("system_prompt") is None:
            run["system_prompt"] = main.prompt
        # Below the front end's own model (`--model`, the editor's setting), above Claude
        # Code's `model` setting.
        if model_unset and main.model and main.model != "inherit":
            run["model"] = _names(settings, host.environ).resolve(main.model)
    chosen = host.extensions.settings.model if host.extensions is not None else ""
    if chosen and run.get("model") is None and model_unset:
        # Claude Code's `model` setting: below the editor's, LSP_AGENT_MODEL and ANTHROPIC_MODEL.
        run["model"] = _names(settings, host.environ).resolve(chosen)
    options = agent_options(
        settings,
        cwd=cwd,
        add_dirs=add_dirs,
        environ=host.environ,
        project_trusted=trusted,
        **run,
    )
    return Agent(
        options,
        tools=default_tools(host.index),
        documents=host.documents,
        edits=host.edits,
        can_use_tool=host.can_use_tool,
        on_event=host.on_event,
        client=client or model_client(settings, host.environ),
        extensions=host.extensions,
        index=host.index,
        transcript=host.transcript,
        redact=Redactor(host.environ),
    )
