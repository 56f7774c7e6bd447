"""Skill: loads a skill's instructions into the conversation when the model asks for one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from lsp_agent.agent.claude.body import ShellRefused
from lsp_agent.agent.claude.skills import Skill, SkillSet, skill_message
from lsp_agent.agent.tools.base import ToolContext, ToolResult

# The skill's text for the model: substitutions, `!` lines and `@` files done (user_prompts.py);
# for a `context: fork` skill, its subagent's result.
Render = Callable[[Skill, str], Awaitable[str | ToolResult]]


class SkillTool:
    name = "Skill"
    description = (
        "Load a skill: task-specific instructions (and the directory of files that come with "
        "them) listed under available skills in the system prompt. Call it with the skill's "
        "name before starting a task the skill describes, then follow what it says."
    )
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "skill": {"type": "string", "description": "The skill's name"},
            "args": {"type": "string", "description": "Optional arguments for the skill"},
        },
        "required": ["skill"],
        "additionalProperties": False,
    }
    read_only = True

    def __init__(
        self,
        skills: SkillSet,
        on_activate: Callable[[Skill], None] | None = None,
        render: Render | None = None,
        offered: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self.skills = skills
        self.on_activate = on_activate  # the loop applies the skill's allowed-tools
        self.render = render
        self.offered = offered  # path-limited skills a file has matched (skill_paths.py)

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        name = str(tool_input.get("skill", "")).strip().removeprefix("/")
        offered = self.offered() if self.offered is not None else None
        available = {s.name: s for s in self.skills.for_model(offered)}
        skill = available.get(name)
        if skill is None:
            known = ", ".join(available) or "none"
            return ToolResult(f"Unknown skill {name!r}. Available skills: {known}", is_error=True)
        arguments = str(tool_input.get("args") or "")
        try:
            if self.render is not None:
                text = await self.render(skill, arguments)
            else:
                text = skill_message(skill, arguments)
        except OSError as exc:
            return ToolResult(f"Could not read skill {name!r}: {exc}", is_error=True)
        except ShellRefused as exc:
            return ToolResult(f"Skill {name!r} could not be loaded: {exc}", is_error=True)
        if isinstance(text, ToolResult):  # a forked skill ran in its subagent
            return text
        if self.on_activate is not None:
            self.on_activate(skill)
        return ToolResult(text)
