"""A plugin's `userConfig`: options the user sets, and where their values go.

Options are declared in `plugin.json` (or the marketplace entry) as
`{"KEY": {"type", "title", "description", "sensitive"?, "required"?, "default"?, ...}}`.
Values come from `pluginConfigs["<plugin id>"].options` in the user's and managed settings
only: Claude Code ignores a project's own settings for them, because a cloned repository must
not choose what is substituted into the plugin's hooks and servers. A value left unset takes
the option's `default`; a `required` option with neither is a problem naming the plugin.

`${user_config.KEY}` is substituted in MCP server configurations and hook settings that run
no shell; every value is exported to hooks as `CLAUDE_PLUGIN_OPTION_<KEY>`; non-sensitive
values are also filled in command, skill and agent bodies. A shell-form hook command naming
`${user_config.KEY}` is refused, as Claude Code refuses it: the shell would run whatever the
value holds. `sensitive` values are never shown (`lsp-agent plugins`, the editor, logs) nor
put where the model reads them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsp_agent import credentials

if TYPE_CHECKING:
    from lsp_agent.agent.claude.plugins.model import Plugin

TYPES = ("string", "number", "boolean", "directory", "file")
PLACEHOLDER = re.compile(r"\$\{user_config\.([A-Za-z_][A-Za-z0-9_]*)\}")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
REDACTED = "(sensitive, set)"


@dataclass(frozen=True)
class Option:
    key: str
    type: str
    title: str
    sensitive: bool = False
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class UserConfig:
    options: dict[str, Option] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # set or defaulted, by key
    # Bad options and values, a required option unset: kept here so every listing shows them.
    problems: tuple[str, ...] = ()

    def text(self, key: str) -> str:
        value = self.values[key]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        return str(value)

    def substitute(self, text: str, *, sensitive: bool = True) -> str:
        """`${user_config.KEY}` filled; unknown or unset keys (and sensitive ones when
        `sensitive` is false) stay as written."""

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            option = self.options.get(key)
            if key not in self.values or option is None or (option.sensitive and not sensitive):
                return match.group(0)
            return self.text(key)

        return PLACEHOLDER.sub(fill, text)

    def deep(self, data: Any) -> Any:
        """Every string inside a JSON value substituted (MCP server configurations)."""
        if isinstance(data, str):
            return self.substitute(data)
        if isinstance(data, list):
            return [self.deep(item) for item in data]
        if isinstance(data, dict):
            return {key: self.deep(value) for key, value in data.items()}
        return data

    def secrets(self, plugin: str) -> dict[str, str]:
        return {
            f"{plugin} option {key}": self.text(key)
            for key, option in self.options.items()
            if option.sensitive and key in self.values
        }

    def environment(self) -> dict[str, str]:
        return {f"CLAUDE_PLUGIN_OPTION_{key.upper()}": self.text(key) for key in self.values}

    def listing(self) -> list[dict[str, Any]]:
        rows = []
        for key, option in self.options.items():
            value: Any = None
            if key in self.values:
                value = REDACTED if option.sensitive else self.values[key]
            rows.append(
                {
                    "key": key,
                    "title": option.title,
                    "type": option.type,
                    "sensitive": option.sensitive,
                    "required": option.required,
                    "set": key in self.values,
                    "value": value,
                }
            )
        return rows


def configure(plugin: Plugin, settings: list[tuple[Path, dict[str, Any]]]) -> UserConfig:
    problems: list[str] = []
    options = declared_options(plugin.name, plugin.declared("userConfig"), problems)
    config = resolve(plugin.name, plugin.config_id, options, settings, problems)
    # Sensitive values reach MCP servers and hooks, whose output may echo them: redacted from
    # whatever leaves the process (model requests, transcripts, logs, the editor).
    credentials.remember(config.secrets(plugin.name), all_secret=True)
    return dataclasses.replace(config, problems=tuple(problems))


def declared_options(
    name: str, declarations: list[tuple[Path, Any]], problems: list[str]
) -> dict[str, Option]:
    options: dict[str, Option] = {}
    for where, data in declarations:
        if not isinstance(data, dict):
            problems.append(f"{where}: {name}: 'userConfig' must be an object of options")
            continue
        for key, spec in data.items():
            option = _option(str(key), spec)
            if isinstance(option, str):
                problems.append(f"{where}: {name}: userConfig option {key!r}: {option}")
            else:
                options[option.key] = option
    return options


def _option(key: str, spec: Any) -> Option | str:
    """The option, or what is wrong with it."""
    if not _KEY.match(key):
        return "the key must be an identifier (letters, digits, _)"
    if not isinstance(spec, dict):
        return "must be an object"
    kind = spec.get("type")
    if kind not in TYPES:
        return f"'type' must be one of {', '.join(TYPES)}, got {kind!r}"
    for text in ("title", "description"):
        if not isinstance(spec.get(text), str):
            return f"'{text}' (a string) is required"
    flags = {f: spec.get(f, False) for f in ("sensitive", "required")}
    if not all(isinstance(v, bool) for v in flags.values()):
        return "'sensitive' and 'required' must be true or false"
    return Option(
        key, kind, spec["title"], flags["sensitive"], flags["required"], spec.get("default")
    )


def resolve(
    plugin_name: str,
    config_id: str,
    options: dict[str, Option],
    settings: list[tuple[Path, dict[str, Any]]],
    problems: list[str],
) -> UserConfig:
    """Values for `options` from `settings` (highest precedence first: managed, then user)."""
    values: dict[str, Any] = {}
    for where, data in reversed(settings):  # lowest first, so higher ones overwrite
        stored = data.get("pluginConfigs")
        entry = stored.get(config_id) if isinstance(stored, dict) else None
        given = entry.get("options") if isinstance(entry, dict) else None
        if entry is not None and not isinstance(given, dict):
            problems.append(f"{where}: pluginConfigs[{config_id!r}].options must be an object")
            continue
        for key, value in (given or {}).items():
            problem = _bad_value(options.get(key), value)
            if problem:
                problems.append(f"{where}: pluginConfigs[{config_id!r}].options.{key}: {problem}")
            else:
                values[key] = value
    for key, option in options.items():
        if key not in values and option.default is not None:
            values[key] = option.default
        if option.required and values.get(key) in (None, ""):
            values.pop(key, None)
            problems.append(
                f"plugin {plugin_name}: required option {key!r} ({option.title}) is not set: "
                f'set it in ~/.claude/settings.json as pluginConfigs["{config_id}"].options.{key}'
            )
    return UserConfig(options, values)


def _bad_value(option: Option | None, value: Any) -> str:
    if option is None:
        return "the plugin declares no such option; ignored"
    expected: tuple[type, ...] = {"number": (int, float), "boolean": (bool,)}.get(
        option.type, (str, list)
    )
    if isinstance(value, bool) and option.type == "number":
        return "must be a number"
    if not isinstance(value, expected):
        return f"must be a {option.type}"
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        return "a list of values must hold strings"
    return ""
