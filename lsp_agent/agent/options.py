"""What a run is configured with and what it returns: plain dataclasses the CLI, the LSP layer
and tests build directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.model.names import DEFAULT_ALIASES, ModelNames
from lsp_agent.settings import PERMISSION_MODES as PERMISSION_MODES
from lsp_agent.settings import Settings

# Every default is the typed Settings' default: one definition for the CLI, the server and the
# engine's own callers (tests, benchmarks).
_DEFAULTS = Settings()
DEFAULT_MODEL = ModelNames().resolve(_DEFAULTS.model)  # `default`: the Anthropic API's
DEFAULT_FAST_MODEL = DEFAULT_ALIASES["haiku"]  # WebFetch's reading of a page
# Modes in which an edit lands without the user reviewing it first.
AUTO_ACCEPT_MODES: tuple[str, ...] = ("acceptEdits", "bypassPermissions")
SUBTYPES = (
    "success",
    "error_max_turns",
    "error_max_budget_usd",
    "error_during_execution",
    "error_refusal",  # the model declined (stop_reason refusal)
    "error_context_window",  # the conversation no longer fits (model_context_window_exceeded)
)


@dataclass
class AgentOptions:
    """The Agent SDK's options that apply to this engine, with Claude Code's defaults."""

    cwd: Path = field(default_factory=Path.cwd)
    model: str = DEFAULT_MODEL
    fallback_model: str | None = None  # used after repeated overload errors
    small_fast_model: str = DEFAULT_FAST_MODEL
    # What `sonnet`, `opus` and `haiku` stand for (Claude Code's ANTHROPIC_DEFAULT_*_MODEL).
    model_aliases: Mapping[str, str] = field(default_factory=lambda: dict(ModelNames().aliases))
    max_tokens: int = _DEFAULTS.maxTokens
    thinking_budget: int = (
        _DEFAULTS.thinkingBudget
    )  # extended thinking budget in tokens; 0 = off (else >= 1024)
    permission_mode: str = _DEFAULTS.permissionMode
    max_turns: int | None = _DEFAULTS.maxTurns  # model requests per run; None: no limit
    max_budget_usd: float | None = None
    max_wall_seconds: float | None = None
    add_dirs: list[Path] = field(default_factory=list)
    # Permission rules in Claude Code syntax ("Read", "Bash(git diff:*)") added on top of the
    # settings files; a bare tool name in disallowed_tools also hides the tool from the model.
    allowed_tools: list[str] = field(default_factory=list)
    disallowed_tools: list[str] = field(default_factory=list)
    system_prompt: str | None = None  # replaces the built-in instructions
    append_system_prompt: str | None = None
    load_memory: bool = True  # CLAUDE.md files
    resume: str | None = None  # session id
    name: str | None = None  # the session's name (`--name`), as `/rename` sets it
    continue_session: bool = False  # resume the latest session of cwd
    # Whether the user trusts the folder: until then its own settings may only restrict (no
    # allow rules, defaultMode or extra directories) and its CLAUDE.md imports stay inside it.
    project_trusted: bool = True
    # Credential variables tool commands may see (all others are scrubbed from their env).
    env_passthrough: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cwd = Path(self.cwd).resolve()
        self.add_dirs = [Path(d).resolve() for d in self.add_dirs]
        if self.thinking_budget > 0:
            # The API rejects budgets under 1024 or not below max_tokens: fix rather than fail.
            self.thinking_budget = max(self.thinking_budget, 1024)
            self.max_tokens = max(self.max_tokens, self.thinking_budget + 1024)


@dataclass
class AgentResult:
    subtype: str  # one of SUBTYPES
    result: str  # the final assistant text, or why the run stopped
    session_id: str
    turns: int
    usage: dict[str, int]
    cost_usd: float
    duration_s: float

    @property
    def is_error(self) -> bool:
        return self.subtype != "success"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "is_error": self.is_error}
