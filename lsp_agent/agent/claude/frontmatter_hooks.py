"""Hooks declared in the frontmatter of a skill, a command or a subagent, in the settings format:

    hooks:
      PreToolUse:
        - matcher: "Bash"
          hooks:
            - type: command
              command: "./scripts/check.sh"
              once: true

A skill's (and a command's, which shares the skills' frontmatter) are registered for the rest of
the session once it is invoked, and may use `once`; a subagent's run only while it runs, with
`Stop` turned into `SubagentStop` (the event a finishing subagent fires), and ignore `once`, as
Claude Code documents. Problems name the file; a file with bad hooks still works without them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.frontmatter_yaml import structured
from lsp_agent.agent.claude.hooks_config import HookGroup, HooksConfig, parse_hooks

if TYPE_CHECKING:  # hooks -> hook_agent -> subagents -> this module
    from lsp_agent.agent.claude.hooks import HookRunner


def parse(data: Any, source: str, *, subagent: bool = False) -> HooksConfig:
    """The `hooks` value of one file's frontmatter (`source` names it in messages)."""
    if data is None:
        return HooksConfig()
    if subagent and isinstance(data, dict) and "Stop" in data:
        data = dict(data)
        stop = data.pop("Stop")
        both = isinstance(stop, list) and isinstance(data.get("SubagentStop"), list)
        data["SubagentStop"] = [*data["SubagentStop"], *stop] if both else stop
    config = parse_hooks([(source, {"hooks": data})], allow_once=not subagent)
    prefix = f"{source}: "
    config.problems = [p.replace(prefix, f"{prefix}frontmatter ", 1) for p in config.problems]
    return config


def read(path: Path, *, subagent: bool = False) -> HooksConfig:
    """The frontmatter hooks of the file at `path`, read now (none when it declares none)."""
    try:
        if "hooks" not in frontmatter.read(path)[0]:  # the flat read is cheap; YAML is not
            return HooksConfig()
        data = structured(path).get("hooks")
    except (OSError, ValueError) as exc:
        return HooksConfig(problems=[f"{path}: {exc}; its hooks are ignored"])
    return parse(data, str(path), subagent=subagent)


def register(
    runner: HookRunner,
    path: Path,
    *,
    supplied_by_folder: bool,
    trusted: bool,
    env: tuple[tuple[str, str], ...] = (),
) -> str:
    """Add the hooks of the skill or command at `path` to the session's `runner` (from its
    first invocation on), with `env` (a plugin's CLAUDE_PLUGIN_ROOT and CLAUDE_PLUGIN_DATA);
    what went wrong, for the user ("" when nothing did)."""
    config = read(path)
    if not config.events:
        return "; ".join(config.problems)
    if supplied_by_folder and not trusted:
        return f"{path}: its frontmatter hooks do not run until the folder is trusted"
    for groups in config.events.values():
        groups[:] = [
            HookGroup(g.matcher, tuple(replace(h, env=(*h.env, *env)) for h in g.hooks))
            for g in groups
        ]
    runner.config = merged(runner.config, config)
    return "; ".join(config.problems)


def merged(base: HooksConfig, extra: HooksConfig) -> HooksConfig:
    """`base` with `extra`'s groups after its own; `disableAllHooks` in `base` keeps them off."""
    if base.disabled or not extra.events:
        return base
    events: dict[str, list[HookGroup]] = {e: list(g) for e, g in base.events.items()}
    for event, groups in extra.events.items():
        events.setdefault(event, []).extend(groups)
    return HooksConfig(events, list(base.problems), base.disabled)


def summary(config: HooksConfig) -> list[str]:
    """ "PreToolUse: ./check.sh" lines, for the workspace-trust question."""
    return [
        f"{event}: {hook.command}"
        for event, groups in config.events.items()
        for group in groups
        for hook in group.hooks
    ]
