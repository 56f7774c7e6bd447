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
        elif command.startswith(("$(", "<(", ">("), i):
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch == "&" and (command[i - 1 : i] in ("<", ">") or command[i + 1 : i + 2] == ">"):
            pass  # 2>&1, &>file, <&3: a redirection, not a separator
        elif not depth and (sep := _separator_at(command, i)):
            parts.append("".join(current))
            current = []
            i += len(sep)
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p for p in (_unwrap_group(p) for p in parts) if p]


def _separator_at(command: str, i: int) -> str | None:
    return next((s for s in _SEPARATORS if command.startswith(s, i)), None)


def _unwrap_group(part: str) -> str:
    # `( a; b )` and `{ a; b; }` split into "( a" and "b )": keep the commands, not the brackets.
    part = part.strip()
    if part.startswith(("(", "{ ")):
        part = part.lstrip("({ ").strip()
    if (part.endswith((")", "}")) and part.count("(") < part.count(")")) or part == "}":
        part = part.rstrip(")} ").strip()
    return part


def all_commands(command: str) -> list[str]:
    """Every simple command, including those inside $(...), <(...) and backquotes: what a deny
    or ask rule must see."""
    found = []
    for part in split_commands(command):
        found.append(part)
        for inner in _substitutions(part):
            found += all_commands(inner)
    return found


def _substitutions(command: str) -> list[str]:
    inner = re.findall(r"`([^`]*)`", command)
    for match in re.finditer(r"[$<>]\(", command):
        depth, j = 1, match.end()
        while j < len(command) and depth:
            depth += {"(": 1, ")": -1}.get(command[j], 0)
            j += 1
        inner.append(command[match.end() : j - 1 if depth == 0 else j])
    return inner


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


_QUOTED = re.compile(r"'[^']*'|\"(?:\\.|[^\"\\])*\"")
_HARMLESS_REDIRECT = re.compile(r"\d*>&\d+|&?\d*>>?\s*/dev/null")


def redirects_to_file(command: str) -> bool:
    """Whether the command writes a file through `>` (to /dev/null and fd duplication aside)."""
    bare = _HARMLESS_REDIRECT.sub("", _QUOTED.sub("''", command))
    return ">" in bare
