"""Skills: `.claude/skills/NAME/SKILL.md` (project) and `~/.claude/skills/NAME/SKILL.md` (user).

The model sees each skill's name and description in the system prompt (`skills_prompt`) and
loads a body on demand through the Skill tool. Frontmatter: `name` (default: the directory
name), `description`, `when_to_use` (added to it), `argument-hint`, `arguments` (names for
`$name`), `allowed-tools`, `disallowed-tools` (refused while active), `model` (for a `/name`
run), `disable-model-invocation` (hidden from the model; the user can still run it as `/name`),
`user-invocable: false` (not a `/name` command; the model can still load it), `context: fork`
with `agent` (a `/name` run gives the rendered skill to that subagent and the conversation gets
its result; always waited for, as Claude Code does with -p; the Skill tool runs it the same
way), `paths` (offered to the model only once it works with a matching file, skill_paths.py),
`hooks` (registered when the skill is invoked, for the rest of the session; frontmatter_hooks.py).
Not applied yet: `effort`, `shell`, `background`. The project's skill wins over the user's of
the same name.

`allowed-tools` pre-approves those tools (permission rules) for the rest of the prompt's run
that invoked the skill, as Claude Code's current docs say; it restricts nothing.
`disallowed-tools` refuses tools while the skill is active. The Skill tool reports activation
through a callback, and extensions.py applies both.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from lsp_agent.agent.claude import frontmatter, skill_paths
from lsp_agent.agent.claude.commands import argument_names
from lsp_agent.agent.claude.files import user_claude_dir

SKILL_FILE = "SKILL.md"


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    path: Path  # the SKILL.md file; its directory holds the skill's other files
    source: str = "project"  # project | user
    allowed_tools: tuple[str, ...] = ()  # empty: no limit
    disable_model_invocation: bool = False
    argument_names: tuple[str, ...] = ()  # the `arguments` frontmatter, for `$name`
    when_to_use: str = ""  # shown to the model after the description
    argument_hint: str = ""
    user_invocable: bool = True  # false: not a `/name` command, only the model loads it
    model: str | None = None  # for a `/name` run
    disallowed_tools: tuple[str, ...] = ()  # refused while the skill is active
    fork: bool = False  # `context: fork`: runs as a subagent's prompt, not in the conversation
    agent: str = ""  # the subagent type a forked skill runs as (default general-purpose)
    paths: tuple[str, ...] = ()  # offered to the model only for matching files (skill_paths.py)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def body(self) -> str:
        """Read when the skill is used, so an edited skill takes effect without a restart."""
        return frontmatter.read(self.path)[1]


@dataclass
class SkillSet:
    skills: dict[str, Skill] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def for_model(self, offered: Collection[str] | None = None) -> list[Skill]:
        """The skills the model may load; given `offered` (the path-limited skills a file
        has matched so far), a skill with `paths` only once offered."""
        return [
            s
            for s in self.skills.values()
            if not s.disable_model_invocation
            and (offered is None or not s.paths or s.name in offered)
        ]


def load_skills(project: Path, user_dir: Path | None = None) -> SkillSet:
    found = SkillSet()
    user_dir = user_dir or user_claude_dir()
    for source, root in (
        ("project", project / ".claude" / "skills"),
        ("user", user_dir / "skills"),
    ):
        for path in sorted(root.glob(f"*/{SKILL_FILE}")) if root.is_dir() else []:
            _add(found, source, path)
    return found


def _add(found: SkillSet, source: str, path: Path) -> None:
    try:
        fields, _ = frontmatter.read(path)
    except OSError as exc:
        found.problems.append(f"{path}: unreadable ({exc})")
        return
    skill = parse_skill(path, fields, source)
    if isinstance(skill, str):
        found.problems.append(skill)
    elif skill.name not in found.skills:  # project first, so the project's wins
        found.skills[skill.name] = skill


def parse_skill(
    path: Path, fields: frontmatter.Frontmatter, source: str, prefix: str = ""
) -> Skill | str:
    """The skill a SKILL.md describes (its name after `prefix`), or why it cannot be used."""
    description = frontmatter.as_str(fields.get("description"))
    if not description:
        return f"{path}: a skill needs a description; ignored"
    return Skill(
        name=prefix + (frontmatter.as_str(fields.get("name")) or path.parent.name),
        description=description,
        path=path,
        source=source,
        allowed_tools=tuple(frontmatter.as_list(fields.get("allowed-tools"))),
        disable_model_invocation=frontmatter.as_bool(fields.get("disable-model-invocation")),
        argument_names=tuple(argument_names(fields.get("arguments"))),
        when_to_use=frontmatter.as_str(fields.get("when_to_use")),
        argument_hint=frontmatter.as_str(fields.get("argument-hint")),
        user_invocable=frontmatter.as_str(fields.get("user-invocable")).lower() != "false",
        model=frontmatter.as_str(fields.get("model")) or None,
        disallowed_tools=tuple(frontmatter.as_list(fields.get("disallowed-tools"))),
        fork=frontmatter.as_str(fields.get("context")).strip() == "fork",
        agent=frontmatter.as_str(fields.get("agent")).strip(),
        paths=skill_paths.parse(fields.get("paths")),
    )


def skills_prompt(skills: SkillSet, offered: Collection[str] = ()) -> str:
    """The system-prompt section listing the skills the model may load."""
    visible = skills.for_model(offered)
    if not visible:
        return ""
    lines = [
        "Skills are instructions and resources for specific tasks. When a task matches a "
        "skill's description, call the Skill tool with its name to load it before starting.",
        "<available_skills>",
    ]
    lines += [
        f"- {s.name}: {s.description}" + (f" {s.when_to_use}" if s.when_to_use else "")
        for s in visible
    ]
    return "\n".join([*lines, "</available_skills>"])


def skill_message(skill: Skill, arguments: str = "") -> str:
    """What the model gets when it loads `skill` (also a `/name` prompt's expansion)."""
    text = f"Base directory for this skill: {skill.directory}\n\n{skill.body().strip()}"
    if arguments:
        text += f"\n\nARGUMENTS: {arguments}"
    return text
