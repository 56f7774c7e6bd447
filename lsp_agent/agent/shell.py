"""Reading shell command lines just enough for permission rules and exit-code judgement:
split compound commands into simple ones, strip harmless wrappers. Not a shell parser; when
unsure, callers must err towards asking."""

from __future__ import annotations

import re
import shlex

# `timeout 10 cmd`, `timeout -s KILL 5m cmd`, `nice -n 5 cmd`, `nohup cmd`, `time cmd`.
_WRAPPER = re.compile(
    r"""^(?:
        timeout(?:\s+(?:-[sk]\s*\S+|--[\w-]+(?:=\S+)?|-[fpv]))*\s+\d+(?:\.\d+)?[smhd]?
      | nice(?:\s+(?:-n\s*-?\d+|--adjustment=-?\d+|-\d+))?
      | nohup
      | time(?:\s+-p)?
    )\s+""",
    re.VERBOSE,
)
_SEPARATORS = ("&&", "||", "|&", ";", "|", "&", "\n")


def split_commands(command: str) -> list[str]:
    """The simple commands of a compound line, split on && || ; | & and newlines, outside
    quotes and outside $(...) / backquote substitutions. Empty parts are dropped."""
    parts, current, i = [], [], 0
    quote, depth = "", 0
    while i < len(command):
        ch = command[i]
        if quote:
            if ch == "\\" and quote == '"':
                current.append(command[i : i + 2])
                i += 2
                continue
            quote = "" if ch == quote else quote
        elif ch == "\\":
            current.append(command[i : i + 2])
            i += 2
            continue
        elif ch in "'\"`":
            quote = ch
        elif command.startswith("$(", i):
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth and (
            sep := next((s for s in _SEPARATORS if command.startswith(s, i)), None)
        ):
            parts.append("".join(current))
            current = []
            i += len(sep)
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def strip_wrappers(command: str) -> str:
    command = command.strip()
    while match := _WRAPPER.match(command):
        command = command[match.end() :].lstrip()
    return command


def program(command: str) -> str:
    """The program a simple command runs, wrappers stripped ("" when it cannot tell)."""
    try:
        words = shlex.split(strip_wrappers(command))
    except ValueError:
        return ""
    words = [w for w in words if not re.match(r"^[A-Za-z_]\w*=", w)]  # leading VAR=value
    return words[0].rsplit("/", 1)[-1] if words else ""


def has_substitution(command: str) -> bool:
    """Whether the command runs other commands inside it ($(...), backquotes, <(...))."""
    return any(s in command for s in ("$(", "`", "<(", ">("))
