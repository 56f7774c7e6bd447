"""Permission modes and rules, data-driven: (mode, rules, tool, input) -> behavior (+ rule)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.files import SettingsFile
from lsp_agent.agent.permissions.rules import PermissionPolicy, Rule, load_settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = (tmp_path / "proj").resolve()
    for d in ("src", "secrets", "sub", "build"):
        (root / d).mkdir(parents=True)
    (root / "secrets" / "a.txt").write_text("s")
    (root / "link.txt").symlink_to(root / "secrets" / "a.txt")
    return root


def check(
    project: Path,
    mode: str,
    rules: dict[str, list[str]],
    tool: str,
    tool_input: dict[str, Any],
    expected: str,
    rule: str | None = None,
) -> None:
    parsed = [
        Rule.parse(text, behavior, "test", project)  # type: ignore[arg-type]
        for behavior, texts in rules.items()
        for text in texts
    ]
    policy = PermissionPolicy(mode, parsed, cwd=project, roots=[project])
    decision = policy.decide(tool, tool_input)
    assert decision.behavior == expected, decision.reason
    if rule is not None:
        assert decision.rule is not None and decision.rule.text == rule
    assert policy(tool, tool_input) == (decision.behavior, decision.reason)


NO_RULES: dict[str, list[str]] = {}
EDIT_IN = ("Edit", {"file_path": "src/a.py", "old_string": "a", "new_string": "b"})
EDIT_OUT = ("Write", {"file_path": "/etc/x.conf", "content": ""})
BASH_LS = ("Bash", {"command": "ls"})

MODE_CASES = {
    "default reads": ("default", "Read", {"file_path": "src/a.py"}, "allow"),
    "default edits ask": ("default", *EDIT_IN, "ask"),
    "default bash asks": ("default", *BASH_LS, "ask"),
    "default todo": ("default", "TodoWrite", {"todos": []}, "allow"),
    "default mcp asks": ("default", "mcp__github__create_issue", {}, "ask"),
    "acceptEdits inside": ("acceptEdits", *EDIT_IN, "allow"),
    "acceptEdits multiedit inside": ("acceptEdits", "MultiEdit", {"file_path": "x.py"}, "allow"),
    "acceptEdits outside asks": ("acceptEdits", *EDIT_OUT, "ask"),
    "acceptEdits bash asks": ("acceptEdits", *BASH_LS, "ask"),
    "plan reads": ("plan", "Grep", {"pattern": "x"}, "allow"),
    "plan edits denied": ("plan", *EDIT_IN, "deny"),
    "plan bash denied": ("plan", *BASH_LS, "deny"),
    "plan exit plan": ("plan", "ExitPlanMode", {"plan": "p"}, "allow"),
    "dontAsk bash denied": ("dontAsk", *BASH_LS, "deny"),
    "dontAsk reads": ("dontAsk", "Glob", {"pattern": "*"}, "allow"),
    "bypass bash": ("bypassPermissions", *BASH_LS, "allow"),
    "bypass edit outside": ("bypassPermissions", *EDIT_OUT, "allow"),
}


@pytest.mark.parametrize(
    ("mode", "tool", "tool_input", "expected"), MODE_CASES.values(), ids=MODE_CASES.keys()
)
def test_modes(
    project: Path, mode: str, tool: str, tool_input: dict[str, Any], expected: str
) -> None:
    check(project, mode, NO_RULES, tool, tool_input, expected)


def bash(command: str) -> tuple[str, dict[str, Any]]:
    return "Bash", {"command": command}


RULE_CASES: dict[str, tuple[Any, ...]] = {
    "deny beats allow": (
        {"allow": ["Bash"], "deny": ["Bash(rm:*)"]},
        *bash("rm -rf x"),
        "deny",
        "Bash(rm:*)",
    ),
    "allow bare tool": ({"allow": ["Bash"], "deny": ["Bash(rm:*)"]}, *bash("ls -la"), "allow"),
    "deny beats bypass": (
        {"deny": ["Bash(rm:*)"]},
        *bash("rm x"),
        "deny",
        None,
        "bypassPermissions",
    ),
    "ask rule beats allow": (
        {"allow": ["Bash"], "ask": ["Bash(git push:*)"]},
        *bash("git push origin main"),
        "ask",
        "Bash(git push:*)",
    ),
    "bypass ignores ask rules": (
        {"ask": ["Bash(git push:*)"]},
        *bash("git push"),
        "allow",
        None,
        "bypassPermissions",
    ),
    "dontAsk allowed by rule": (
        {"allow": ["Bash(ls)"]},
        *bash("ls"),
        "allow",
        "Bash(ls)",
        "dontAsk",
    ),
    "dontAsk turns ask rule into deny": (
        {"ask": ["Read(./secrets/**)"]},
        "Read",
        {"file_path": "secrets/a.txt"},
        "deny",
        None,
        "dontAsk",
    ),
    "plan denies allowed bash": ({"allow": ["Bash(ls)"]}, *bash("ls"), "deny", None, "plan"),
    "prefix": ({"allow": ["Bash(npm run test:*)"]}, *bash("npm run test"), "allow"),
    "prefix with args": ({"allow": ["Bash(npm run test:*)"]}, *bash("npm run test -- -x"), "allow"),
    "prefix word boundary": ({"allow": ["Bash(npm run test:*)"]}, *bash("npm run testing"), "ask"),
    "star in the middle": (
        {"allow": ["Bash(git * --oneline)"]},
        *bash("git log --oneline"),
        "allow",
    ),
    "compound all allowed": (
        {"allow": ["Bash(npm test)", "Bash(git status:*)"]},
        *bash("npm test && git status -s | cat"),
        "ask",
    ),
    "compound each part": (
        {"allow": ["Bash(npm test)", "Bash(git status:*)", "Bash(cat)"]},
        *bash("npm test && git status -s | cat"),
        "allow",
    ),
    "compound one part not allowed": (
        {"allow": ["Bash(npm test)"]},
        *bash("npm test; curl x | sh"),
        "ask",
    ),
    "cd inside the workspace": ({"allow": ["Bash(make:*)"]}, *bash("cd src && make test"), "allow"),
    "cd outside the workspace": ({"allow": ["Bash(make:*)"]}, *bash("cd /tmp && make"), "ask"),
    "compound newline": ({"allow": ["Bash(ls:*)"]}, *bash("ls\nrm -rf /"), "ask"),
    "deny any part": (
        {"allow": ["Bash"], "deny": ["Bash(curl:*)"]},
        *bash("echo a || curl evil.sh"),
        "deny",
    ),
    "wrappers stripped": (
        {"allow": ["Bash(npm test)"]},
        *bash("timeout 60 nice -n 5 npm test"),
        "allow",
    ),
    "nohup stripped": ({"allow": ["Bash(make:*)"]}, *bash("nohup make all"), "allow"),
    "substitution not allowed by wildcard": (
        {"allow": ["Bash(echo:*)"]},
        *bash("echo $(rm -rf x)"),
        "ask",
    ),
    "substitution seen by deny": (
        {"allow": ["Bash"], "deny": ["Bash(rm:*)"]},
        *bash("echo `rm -rf x`"),
        "deny",
    ),
    "redirect to file asks": ({"allow": ["Bash(echo:*)"]}, *bash("echo hi > f.txt"), "ask"),
    "harmless redirects": ({"allow": ["Bash(echo:*)"]}, *bash("echo hi 2>&1 >/dev/null"), "allow"),
    "quoted separators": ({"allow": ["Bash(echo:*)"]}, *bash("echo 'a && rm x'"), "allow"),
    "read deny path": (
        {"deny": ["Read(./secrets/**)"]},
        "Read",
        {"file_path": "secrets/a.txt"},
        "deny",
    ),
    "read deny other path": (
        {"deny": ["Read(./secrets/**)"]},
        "Read",
        {"file_path": "src/a.py"},
        "allow",
    ),
    "read deny covers grep dir": (
        {"deny": ["Read(./secrets/**)"]},
        "Grep",
        {"pattern": "x", "path": "secrets"},
        "deny",
    ),
    "read deny not whole workspace": (
        {"deny": ["Read(./secrets/**)"]},
        "Grep",
        {"pattern": "x"},
        "allow",
    ),
    "read deny through symlink": (
        {"deny": ["Read(./secrets/**)"]},
        "Read",
        {"file_path": "link.txt"},
        "deny",
    ),
    "read deny covers lsp": (
        {"deny": ["Read(./secrets/**)"]},
        "LSP",
        {"operation": "hover", "filePath": "secrets/a.py", "line": 1, "character": 1},
        "deny",
    ),
    "read deny lsp other path": (
        {"deny": ["Read(./secrets/**)"]},
        "LSP",
        {"operation": "hover", "filePath": "src/a.py", "line": 1, "character": 1},
        "allow",
    ),
    "bare name any depth": ({"deny": ["Read(.env)"]}, "Read", {"file_path": "sub/.env"}, "deny"),
    "bare name other file": ({"deny": ["Read(.env)"]}, "Read", {"file_path": "env"}, "allow"),
    "project-anchored": (
        {"deny": ["Edit(/build/**)"]},
        "Write",
        {"file_path": "build/out.js", "content": ""},
        "deny",
        None,
        "acceptEdits",
    ),
    "absolute": ({"deny": ["Read(//etc/**)"]}, "Read", {"file_path": "/etc/passwd"}, "deny"),
    "home": ({"deny": ["Read(~/.ssh/**)"]}, "Read", {"file_path": "~/.ssh/id_rsa"}, "deny"),
    "edit rule covers write": (
        {"allow": ["Edit(src/**)"]},
        "Write",
        {"file_path": "src/new.py", "content": ""},
        "allow",
    ),
    "edit rule elsewhere asks": (
        {"allow": ["Edit(src/**)"]},
        "Write",
        {"file_path": "new.py", "content": ""},
        "ask",
    ),
    "mcp server rule": ({"allow": ["mcp__github"]}, "mcp__github__create_issue", {}, "allow"),
    "mcp other server": ({"allow": ["mcp__github"]}, "mcp__gitlab__create_issue", {}, "ask"),
    "mcp tool rule": (
        {"deny": ["mcp__db__drop"]},
        "mcp__db__drop",
        {},
        "deny",
        None,
        "bypassPermissions",
    ),
    "webfetch domain": (
        {"allow": ["WebFetch(domain:example.com)"]},
        "WebFetch",
        {"url": "https://docs.example.com/a", "prompt": ""},
        "allow",
    ),
    "webfetch other domain": (
        {"allow": ["WebFetch(domain:example.com)"]},
        "WebFetch",
        {"url": "https://example.com.evil.io/", "prompt": ""},
        "ask",
    ),
    "other tool specifier": (
        {"allow": ["Skill(review*)"]},
        "Skill",
        {"skill": "review-pr"},
        "allow",
    ),
}


@pytest.mark.parametrize("case", RULE_CASES.values(), ids=RULE_CASES.keys())
def test_rules(project: Path, case: tuple[Any, ...]) -> None:
    rules, tool, tool_input, expected, *rest = case
    rule = rest[0] if rest else None
    mode = rest[1] if len(rest) > 1 else "default"
    check(project, mode, rules, tool, tool_input, expected, rule)


def settings(path: Path, scope: str, data: Any) -> SettingsFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return SettingsFile(scope, path)


def test_settings_merge_and_report(project: Path, tmp_path: Path) -> None:
    files = [
        settings(
            tmp_path / "managed.json",
            "managed",
            {"permissions": {"deny": ["Bash(curl:*)"], "disableBypassPermissionsMode": "disable"}},
        ),
        settings(
            project / ".claude/settings.local.json",
            "local",
            {"permissions": {"allow": ["Bash(npm test)", 42], "defaultMode": "acceptEdits"}},
        ),
        settings(
            project / ".claude/settings.json",
            "project",
            {
                "permissions": {
                    "ask": ["Bash(git push:*)"],
                    "defaultMode": "plan",
                    "additionalDirectories": ["../shared"],
                }
            },
        ),
        settings(tmp_path / "home/.claude/settings.json", "user", "{not json"),
    ]
    policy = PermissionPolicy.from_settings(
        project,
        mode="bypassPermissions",
        files=files,
        allow=["Read", "Bash(curl:*)"],
        deny=["Bad("],
    )
    assert policy.mode == "default"  # bypass disabled by managed settings
    assert [r.text for r in policy.rules] == [
        "Bash(curl:*)",
        "Read",
        "Bash(curl:*)",
        "Bash(npm test)",
        "Bash(git push:*)",
    ]
    assert (project.parent / "shared") in policy.roots
    warnings = "\n".join(policy.warnings)
    for expected in ("cannot read settings", "42", "Bad(", "bypassPermissions is disabled"):
        assert expected in warnings
    assert policy.decide("Bash", {"command": "curl x"}).behavior == "deny"
    decision = policy.decide("Bash", {"command": "npm test"})
    assert decision.behavior == "allow"
    assert decision.rule is not None and "local settings" in decision.rule.source
    assert PermissionPolicy.from_settings(project, files=files).mode == "acceptEdits"


def test_settings_discovered_from_project(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings(project / ".claude/settings.json", "project", {"permissions": {"deny": ["Edit"]}})
    settings(
        tmp_path / "home/.claude/settings.json", "user", {"permissions": {"allow": ["Bash(ls)"]}}
    )
    loaded = load_settings(project)
    sources = [
        (r.text, r.source.split()[0])
        for r in loaded.rules
        if r.source.split()[0] in ("project", "user")
    ]
    assert sources == [("Edit", "project"), ("Bash(ls)", "user")]


def test_session_rules_and_mode_switch(project: Path) -> None:
    policy = PermissionPolicy(cwd=project)
    call = {"command": "make test"}
    assert policy.decide("Bash", call).behavior == "ask"
    policy.allow_for_session("Bash", call)
    assert policy.decide("Bash", call).behavior == "allow"
    assert policy.decide("Bash", {"command": "make test && rm x"}).behavior == "ask"
    wrapped = {"command": "timeout 5 make  lint"}
    policy.allow_for_session("Bash", wrapped)
    assert policy.decide("Bash", wrapped).behavior == "allow"
    policy.set_mode("plan")
    assert policy.decide("Bash", call).behavior == "deny"
    with pytest.raises(ValueError, match="unknown permission mode"):
        policy.set_mode("yolo")
