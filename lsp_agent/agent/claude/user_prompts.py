"""What a user prompt becomes: `UserPrompts`, a base of `Extensions`, and its `PromptPlan`.

`/name args` expands a custom or plugin command, or a skill (rendered by claude/invocation.py:
arguments, `!` lines, `@` files); a `context: fork` skill runs in its subagent and the prompt
is its result; UserPromptSubmit hooks may block what is left or add context. The Skill tool
renders a skill the same way (`_skill_text`), and the editor's `/` picker lists both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsp_agent.agent.claude.commands import Builtin, Expansion, Unknown, expand
from lsp_agent.agent.claude.hook_events import HookEvents
from lsp_agent.agent.claude.invocation import Invocation, ShellRefused
from lsp_agent.agent.claude.subagents import SubagentRequest
from lsp_agent.agent.tools.base import ToolResult

if TYPE_CHECKING:
    from lsp_agent.agent.claude.skills import Skill
    from lsp_agent.agent.claude.subagents import AgentSet, SubagentRunner
    from lsp_agent.agent.ports import CancelToken


@dataclass
class PromptPlan:
    """What to do with a user prompt. `action`: send (to the model), builtin (the host or the
    loop handles `builtin`), refuse (show `message`, send nothing)."""

    action: str
    text: str = ""
    context: list[str] = field(default_factory=list)  # extra text blocks for the model
    builtin: Builtin | None = None
    model: str | None = None  # a command's model, for this prompt's run
    allowed_tools: tuple[str, ...] = ()  # a command's allow rules, for this prompt's run
    message: str = ""
    stop: bool = False


class UserPrompts(HookEvents):
    # Set by Extensions.__init__ and Extensions.tools (claude/extensions.py).
    agents: AgentSet
    active_skill: Skill | None
    _run_subagent: SubagentRunner | None  # the loop's, for forked skills
    _cancel: Callable[[], CancelToken]  # the running prompt's token

    async def prompt(self, text: str) -> PromptPlan:
        self.active_skill = None
        self.activations.new_prompt()
        self.halt = ""
        await self.check_files()
        plan = await self._expand(text)
        if plan.action != "send":
            return plan
        outcome = await self._hook("UserPromptSubmit", {"prompt": plan.text})
        if outcome.session_title:  # named from the prompt, even one the hook blocks
            self.emit("title", {"title": outcome.session_title})
        if outcome.blocked or outcome.stop:
            why = outcome.reason or outcome.stop_reason or "blocked by a UserPromptSubmit hook"
            return PromptPlan("refuse", message=why, stop=outcome.stop)
        late = self._late_notes()
        plan.context = [*plan.context, *outcome.additional_context, *late]
        return plan

    def slash_listing(self) -> list[dict[str, str]]:
        """Rows for the editor's `/` picker (`lspAgent.slashCommands`): built-ins, custom
        commands, then skills (a skill runs as `/name args` too)."""
        rows = self.commands.listing()
        taken = {row["name"] for row in rows}
        for skill in sorted(self.skills.skills.values(), key=lambda s: s.name):
            if skill.name not in taken and skill.user_invocable:
                row = {
                    "name": skill.name,
                    "description": skill.description,
                    "argumentHint": skill.argument_hint,
                }
                rows.append({**row, "source": f"skill:{skill.source}"})
        return rows

    async def _expand(self, text: str) -> PromptPlan:
        result = expand(text, self.commands)
        full = self._plugin_name(result.name) if isinstance(result, Unknown) else None
        if full is not None:  # `/commit` for `/commit-tools:commit`, when nothing else is
            text = f"/{full} {text.strip().partition(' ')[2]}".strip()
            result = expand(text, self.commands)
        if result is None:
            return PromptPlan("send", text)
        if isinstance(result, Builtin):
            return PromptPlan("builtin", builtin=result)
        if isinstance(result, Expansion):
            command = result.command
            use = Invocation(
                f"/{command.name}",
                command.body,
                result.arguments,
                command.source,
                command.path,
                command.argument_names,
                command.allowed_tools,
            )
            plan = await self._render_plan(use)
            if plan.action == "send":
                self._invoked(use.label, command.path, command.source, plan.allowed_tools)
                plan.model = command.model
            return plan
        assert isinstance(result, Unknown)
        skill = self.skills.skills.get(result.name)  # a skill is also a command: /name args
        if skill is not None and skill.user_invocable:
            self.active_skill = skill
            arguments = text.strip().partition(" ")[2].strip()
            plan = await self._render_plan(_skill_use(skill, arguments))
            plan.model = skill.model
            if plan.action != "send":
                return plan
            self._invoked(f"/{skill.name}", skill.path, skill.source, plan.allowed_tools)
            return await self._fork(skill, plan) if skill.fork else plan
        return PromptPlan("refuse", message=result.message)

    async def _fork(self, skill: Skill, plan: PromptPlan) -> PromptPlan:
        """`context: fork`: the rendered skill is a subagent's prompt; the conversation gets
        the subagent's result (and the skill's limits end with it)."""
        self.active_skill = None
        failed, text = await self._run_forked(skill, "\n\n".join([plan.text, *plan.context]))
        if failed:
            return PromptPlan("refuse", message=f"/{skill.name}: {text}")
        return PromptPlan("send", text, model=skill.model)

    async def _run_forked(self, skill: Skill, prompt: str) -> tuple[bool, str]:
        """(failed, text): the subagent's result introduced for the conversation, or why the
        skill could not run."""
        agent = self.agents.get(skill.agent or "general-purpose")
        if agent is None or self._run_subagent is None:
            why = f"no subagent named {skill.agent!r}" if agent is None else "no subagents here"
            return True, f"runs in a subagent, but {why}"
        request = SubagentRequest(
            agent, prompt, f"/{skill.name}", f"skill_{uuid.uuid4().hex[:12]}", self._cancel()
        )
        result = await self._run_subagent(request)
        if result.is_error:
            return True, result.text
        ran = f"The skill /{skill.name} ran in the {agent.name} subagent."
        return False, f"{ran} Its result:\n\n{result.text}"

    def _plugin_name(self, bare: str) -> str | None:
        """The one plugin command or skill `plugin:bare`, as Claude Code lets the prefix go
        when no other command has the name; None when there is none or more than one."""
        if ":" in bare or bare in self.skills.skills:
            return None
        names = {*self.commands.commands, *self.skills.skills}
        found = [n for n in names if n.endswith(f":{bare}") and n.count(":") == 1]
        return found[0] if len(found) == 1 else None

    async def _render_plan(self, use: Invocation) -> PromptPlan:
        try:
            rendered = await self.renderer.render(use)
        except ShellRefused as exc:
            return PromptPlan("refuse", message=f"{use.label}: {exc}")
        except OSError as exc:
            return PromptPlan("refuse", message=f"{use.label}: could not read {use.path} ({exc})")
        for note in rendered.notes:
            self.emit("hook", {"event": "UserPromptSubmit", "message": f"{use.label}: {note}"})
        text = rendered.text
        if use.skill_dir is not None:
            text = f"Base directory for this skill: {use.skill_dir}\n\n{text.strip()}"
        return PromptPlan(
            "send", text, list(rendered.attachments), allowed_tools=rendered.allowed_tools
        )

    def _invoked(self, label: str, path: Path | None, source: str, grants: tuple[str, ...]) -> None:
        plugin = self.renderer.plugin(source)  # a plugin's hooks get its CLAUDE_PLUGIN_ROOT
        env = tuple(plugin.variables().items()) if plugin is not None else ()
        for message in self.activations.invoked(label, path, source, grants, env):
            self.emit("hook", {"event": "UserPromptSubmit", "message": message})

    # -- the Skill tool's callbacks (Extensions.tools) --------------------------------------

    async def _skill_text(self, skill: Skill, arguments: str) -> str | ToolResult:
        """What the Skill tool returns: the skill rendered as for `/name`, files attached; a
        `context: fork` skill runs in its subagent and this is the subagent's result."""
        rendered = await self.renderer.render(_skill_use(skill, arguments))
        text = f"Base directory for this skill: {skill.directory}\n\n{rendered.text.strip()}"
        self._invoked(f"/{skill.name}", skill.path, skill.source, rendered.allowed_tools)
        if skill.fork:
            prompt = "\n\n".join([text, *rendered.attachments])
            failed, result = await self._run_forked(skill, prompt)
            return ToolResult(f"/{skill.name}: {result}" if failed else result, failed)
        return "\n\n".join([text, *rendered.attachments, *rendered.notes])

    def _activate(self, skill: Skill) -> None:
        self.active_skill = skill

    def _offered(self) -> set[str]:
        return self.activations.offered


def _skill_use(skill: Skill, arguments: str) -> Invocation:
    return Invocation(
        f"/{skill.name}",
        skill.body(),
        arguments,
        skill.source,
        skill.path,
        skill.argument_names,
        skill.allowed_tools,
        skill_dir=skill.directory,
    )
