"""One typed settings object, merged from layers, with every bad value reported and defaulted.

Layers, lowest precedence first: defaults, `LSP_AGENT_*` environment variables (over Claude
Code's `ANTHROPIC_MODEL`), `initializationOptions`, then the client's `workspace/configuration`
section `lspAgent`.
Keys are camelCase as editors write them (`maxTurns`, `index.maxFileSize`); environment
variables are the upper snake-case path (`LSP_AGENT_MAX_TURNS`, `LSP_AGENT_INDEX_MAX_FILE_SIZE`).

Plain Python: the CLI and the engine use it too, so it must not import pygls or lsprotocol.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PermissionMode = Literal["default", "acceptEdits", "plan", "dontAsk", "bypassPermissions"]
# The one list of permission modes: the CLI, the server, the engine and the docs use this.
PERMISSION_MODES: tuple[str, ...] = typing.get_args(PermissionMode)
LogLevel = Literal["error", "warning", "info", "debug"]
# Where model requests go; "auto" follows Claude Code's CLAUDE_CODE_USE_* variables, else
# "anthropic".
Provider = Literal["auto", "anthropic", "bedrock", "vertex", "foundry", "openai"]

ENV_PREFIX = "LSP_AGENT_"
# Claude Code's variables for settings lsp-agent shares: read like LSP_AGENT_*, which win.
CLAUDE_CODE_ENV = {"ANTHROPIC_MODEL": "model"}


def _setting(default: Any, doc: str, *, minimum: float | None = None) -> Any:
    meta = {"doc": doc, "min": minimum}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class IndexSettings:
    enabled: bool = _setting(True, "Build and maintain the tree-sitter symbol index.")
    exclude: list[str] = _setting(
        [], "Extra gitignore-style patterns the index skips (on top of .gitignore)."
    )
    maxFileSize: int = _setting(
        10 * 1024 * 1024, "Files larger than this many bytes are not indexed.", minimum=1
    )
    maxFiles: int = _setting(
        200_000, "The index stops (and says so) after this many files per folder.", minimum=1
    )
    maxTotalSize: int = _setting(
        4 * 1024 * 1024 * 1024,
        "The index stops (and says so) after this many bytes of files per folder.",
        minimum=1,
    )


@dataclass(frozen=True)
class PluginSettings:
    dirs: list[str] = _setting(
        [],
        "Claude Code plugin directories to load, as `lsp-agent ask --plugin-dir` (one inside "
        "the workspace loads only once the folder is trusted).",
    )


@dataclass(frozen=True)
class Settings:
    model: str = _setting(
        "default",
        "Model used for agent runs: an id, or an alias (`default`: the provider's recommended"
        " model, Opus 5 on the Anthropic API; `opus`, `sonnet`, `haiku`, `fable`).",
    )
    fallbackModel: str = _setting(
        "", "Model to switch to after repeated overload errors (empty: none)."
    )
    maxTokens: int = _setting(16384, "max_tokens for each model response.", minimum=1)
    thinkingBudget: int = _setting(
        0, "Extended-thinking token budget (0 turns thinking off; otherwise >= 1024).", minimum=0
    )
    permissionMode: PermissionMode = _setting(
        "default", "default, acceptEdits, plan, dontAsk or bypassPermissions."
    )
    maxTurns: int = _setting(50, "Most model turns in one run.", minimum=1)
    maxBudgetUsd: float = _setting(
        0.0, "Stop a run once it has cost this many US dollars (0: no limit).", minimum=0
    )
    apiBaseUrl: str = _setting(
        "", "Anthropic API base URL (empty: ANTHROPIC_BASE_URL, else the public API)."
    )
    permissionPromptTimeout: float = _setting(
        120.0,
        "Seconds to wait for the user's answer to a permission prompt before denying.",
        minimum=1,
    )
    logLevel: LogLevel = _setting(
        "info", "Least severe level sent to the editor's log (error, warning, info, debug)."
    )
    index: IndexSettings = field(default_factory=IndexSettings, metadata={"doc": "", "min": None})
    plugins: PluginSettings = field(
        default_factory=PluginSettings, metadata={"doc": "", "min": None}
    )
    provider: Provider = _setting(
        "auto",
        "Model provider: anthropic, bedrock, vertex, foundry or openai (any OpenAI-compatible "
        "endpoint); auto follows CLAUDE_CODE_USE_BEDROCK / _VERTEX / _FOUNDRY, else anthropic.",
    )
    openaiBaseUrl: str = _setting(
        "",
        "OpenAI-compatible endpoint, up to /v1 (empty: OPENAI_BASE_URL, else api.openai.com).",
    )
    openaiApiKeyEnv: str = _setting(
        "OPENAI_API_KEY",
        "Environment variable holding the OpenAI-compatible endpoint's key (unset: no key).",
    )
    openaiHeaders: list[str] = _setting(
        [], "Extra headers for the OpenAI-compatible endpoint, each 'Name: value'."
    )
    contextWindow: int = _setting(
        0, "The model's context window in tokens (0: the provider's model table).", minimum=0
    )
    inputPricePerMtok: float = _setting(
        0.0,
        "USD per million input tokens (0: the Claude price table; free for openai).",
        minimum=0,
    )
    outputPricePerMtok: float = _setting(
        0.0,
        "USD per million output tokens (0: the Claude price table; free for openai).",
        minimum=0,
    )
    toolEnvPassthrough: list[str] = _setting(
        [],
        "Credential environment variables (e.g. AWS_SESSION_TOKEN) that Bash commands may see; "
        "every other provider credential is removed from their environment.",
    )


@dataclass(frozen=True)
class SettingInfo:
    key: str  # dotted camelCase path, e.g. "index.maxFileSize"
    env: str
    type: Any
    default: Any
    doc: str
    minimum: float | None


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def describe(cls: type = Settings, prefix: str = "") -> list[SettingInfo]:
    """Every leaf setting with its key, environment variable, default and documentation."""
    hints = _hints(cls)
    infos: list[SettingInfo] = []
    defaults = cls()
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            infos += describe(hints[f.name], f"{key}.")
            continue
        infos.append(
            SettingInfo(
                key=key,
                env=ENV_PREFIX + _snake(key).upper(),
                type=hints[f.name],
                default=getattr(defaults, f.name),
                doc=f.metadata["doc"],
                minimum=f.metadata["min"],
            )
        )
    return infos


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).replace(".", "_").lower()


class InvalidSetting(ValueError):
    pass


def _coerce(value: Any, info: SettingInfo, from_env: bool) -> Any:
    """Check (and for environment strings, parse) one value against its declared type."""
    kind = info.type
    origin = typing.get_origin(kind)
    if origin is Literal:
        choices = typing.get_args(kind)
        if value not in choices:
            raise InvalidSetting(f"must be one of {', '.join(map(str, choices))}")
        return value
    if kind is bool:
        if from_env and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
        if not isinstance(value, bool):
            raise InvalidSetting("must be true or false")
        return value
    if kind in (int, float):
        if from_env and isinstance(value, str):
            try:
                value = kind(value.strip())
            except ValueError:
                raise InvalidSetting(f"must be a number ({kind.__name__})") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidSetting(f"must be a number ({kind.__name__})")
        if kind is int and not float(value).is_integer():
            raise InvalidSetting("must be a whole number")
        value = kind(value)
        if not math.isfinite(value):
            raise InvalidSetting("must be a finite number")
        if info.minimum is not None and value < info.minimum:
            raise InvalidSetting(f"must be >= {info.minimum:g}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise InvalidSetting("must be a string")
        return value
    if origin is list:
        if from_env and isinstance(value, str):
            text = value.strip()
            value = (
                json.loads(text)
                if text.startswith("[")
                else [part.strip() for part in text.split(",") if part.strip()]
            )
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidSetting("must be a list of strings")
        return list(value)
    raise AssertionError(f"unsupported setting type {kind!r}")  # a programming error


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    """The `LSP_AGENT_*` variables that name a setting, as a flat {key: string} layer, over
    Claude Code's (`ANTHROPIC_MODEL`)."""
    by_env = {info.env: info.key for info in describe()}
    layer = {key: environ[name] for name, key in CLAUDE_CODE_ENV.items() if environ.get(name)}
    layer.update({by_env[name]: value for name, value in environ.items() if name in by_env})
    return layer


def merge(layers: list[tuple[str, Mapping[str, Any] | None]]) -> tuple[Settings, list[str]]:
    """Merge layers (lowest precedence first) into Settings; return it with one problem
    message per ignored key or invalid value. Invalid values fall back to the lower layer."""
    infos = {info.key: info for info in describe()}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for source, layer in layers:
        if not layer:
            continue
        if not isinstance(layer, Mapping):
            problems.append(f"{source}: settings must be an object, got {type(layer).__name__}")
            continue
        from_env = source == "environment"
        for key, value in flatten(layer).items():
            info = infos.get(key)
            if info is None:
                problems.append(f"{source}: unknown setting '{key}' ignored")
                continue
            try:
                values[key] = _coerce(value, info, from_env)
            except (InvalidSetting, json.JSONDecodeError) as exc:
                fallback = values.get(key, info.default)
                problems.append(
                    f"{source}: invalid value {value!r} for '{key}' ({exc}); using {fallback!r}"
                )
    return _build(values), problems


def _build(values: dict[str, Any]) -> Settings:
    index = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("index.")}
    plugins = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("plugins.")}
    top = {k: v for k, v in values.items() if "." not in k}
    return Settings(**top, index=IndexSettings(**index), plugins=PluginSettings(**plugins))


def to_dict(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
