"""Claude Code's extension points for one agent session, behind a few calls the loop makes.

    ext = await Extensions.load(cwd, approve_mcp=..., on_problem=...)
    agent = Agent(options, tools=[...], extensions=ext, ...)

The loop asks `prompt()` what to do with a user prompt (slash commands, UserPromptSubmit),
`pre_tool()` / `post_tool()` around each tool call, `stop()` when the model ends its turn, and
`session_start()` / `session_end()`. Each returns a plain decision; messages meant for the user
(hook output, failures) go to the `emit` callback the loop binds with `bind_session`, one per
message. The tools it contributes (Skill, Task, ExitPlanMode, MCP tools) come from `tools()`,
given the callbacks only the loop can provide. `Extensions.none()` stands for a session without
any of it (tests, benchmarks): the loop always has an Extensions and never branches on one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude import main_agent
from lsp_agent.agent.claude.activations import Activations
from lsp_agent.agent.claude.commands import (
    Builtin,
    CommandSet,
    Expansion,
    Unknown,
    expand,
    load_commands,
)
from lsp_agent.agent.claude.hook_agent import agent_runner
from lsp_agent.agent.claude.hook_watch import FileHooks
from lsp_agent.agent.claude.hooks import HookOutcome, HookRunner
from lsp_agent.agent.claude.hooks_config import HooksConfig, load_hooks
from lsp_agent.agent.claude.invocation import Invocation, Policy, Renderer, ShellRefused
from lsp_agent.agent.claude.mcp_servers import ApproveServer, McpServers
from lsp_agent.agent.claude.output_styles import OutputStyles, load_output_styles
from lsp_agent.agent.claude.plugins import PluginSet, discover
from lsp_agent.agent.claude.plugins import parts as plugin_parts
from lsp_agent.agent.claude.plugins.checks import check_unused_parts
from lsp_agent.agent.claude.settings_keys import ClaudeSettings, read_settings
from lsp_agent.agent.claude.skills import Skill, SkillSet, load_skills, skills_prompt
from lsp_agent.agent.claude.subagents import (
    AgentDefinition,
    AgentSet,
    SubagentRequest,
    SubagentRunner,
    load_agents,
)
from lsp_agent.agent.permissions.gate import headless_denial
from lsp_agent.agent.ports import CancelToken, CanUseTool, PermissionResult
from lsp_agent.agent.tools.ask_user import AskUserQuestionTool
from lsp_agent.agent.tools.base import ModelQuery, Tool, ToolResult
from lsp_agent.agent.tools.exit_plan_mode import EnterPlanModeTool, ExitPlanModeTool
from lsp_agent.agent.tools.skill import SkillTool
from lsp_agent.agent.tools.task import TaskTool

# Stop hooks that keep blocking cannot keep a run alive forever: Claude Code ends the turn
# after 8 consecutive blocks.
MAX_STOP_CONTINUATIONS = 8
# ("hook", {event, message}): a message for the user, from a hook or the user's setup.
Emit = Callable[[str, dict[str, Any]], None]


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


@dataclass
class ToolGate:
    """PreToolUse's verdict: `decision` None leaves it to the permission rules; "allow" skips
    the prompt (deny rules still apply); "ask" prompts even where rules allow; "deny" refuses."""

    decision: str | None
    reason: str
    tool_input: dict[str, Any]
    stop: bool = False


class Extensions:
    def __init__(
        self,
        project: Path,
        *,
        hooks: HookRunner,
        commands: CommandSet | None = None,
        skills: SkillSet | None = None,
        agents: AgentSet | None = None,
        mcp: McpServers | None = None,
        plugins: PluginSet | None = None,
        trusted: bool = True,
        styles: OutputStyles | None = None,
        settings: ClaudeSettings | None = None,
    ) -> None:
        self.project = project
        self.plugins = plugins or PluginSet()
        self.styles = styles or OutputStyles()
        self.settings = settings or ClaudeSettings()
        hooks.extra_env = self.settings.env
        hooks.mcp = mcp  # `mcp_tool` hooks call the session's connected servers
        self.renderer = Renderer(
            project,
            self.plugins,
            trusted=trusted,
            extra_env=self.settings.env,
            shell_disabled=self.settings.shell_disabled,
        )
        self.hooks = hooks
        self.commands = commands or CommandSet()
        self.skills = skills or SkillSet()
        self.agents = agents or AgentSet()
        self.mcp = mcp
        self._owns_mcp = True
        self.halt = ""  # why a PostToolUse hook stopped the current run
        self.emit: Emit = lambda kind, data: None
        self.active_skill: Skill | None = None
        self._run_subagent: SubagentRunner | None = None  # the loop's, for forked skills
        self.subagent_type = self.subagent_id = ""  # a subagent view's: SubagentStop's fields
        self.file_hooks = FileHooks(hooks.config, project)  # FileChanged, ConfigChange
        self.file_hooks.start()
        self._cancel: Callable[[], CancelToken] = CancelToken  # the running prompt's token
        # The `agent` setting's definition, run as the main thread (claude/main_agent.py).
        self.main_agent: AgentDefinition | None = None
        self.environ: dict[str, str] | None = None  # where `${VAR}` in MCP definitions expand
        # Skills' and commands' hooks, grants and path offers (claude/activations.py).
        self.activations = Activations(project, hooks, trusted=trusted)
        self.problems = [
            *hooks.config.problems,
            *self.commands.problems,
            *self.skills.problems,
            *self.agents.problems,
            *(n for a in self.agents.agents.values() for n in a.notes),
            *(mcp.config.problems if mcp is not None else []),
            *self.plugins.messages(),
            *self.styles.problems,
            *self.settings.problems,
        ]

    @classmethod
    async def load(
        cls,
        project: Path,
        *,
        trusted: bool,
        approve_mcp: ApproveServer | None = None,
        on_problem: Callable[[str], None] | None = None,
        hooks: dict[str, Any] | None = None,
        agents: list[AgentDefinition] | None = None,
        mcp: bool = True,
        environ: dict[str, str] | None = None,
        plugin_dirs: Sequence[Path] = (),
        plugin_origin: str = "--plugin-dir",
    ) -> Extensions:
        """Everything from the project's and the user's `.claude/` files; MCP servers started.
        Every problem found (bad configuration, a server that fails) goes to `on_problem`.
        `trusted`: whether the user trusts the folder (see claude/trust.py); until then its own
        hooks, MCP servers and commands' `allowed-tools` are left out. `environ` (default: the
        process's) is where `${VAR}` in MCP configurations expand from: the host's, which holds
        the credentials the process environment no longer does. `plugin_dirs`: plugin
        directories the user named (`--plugin-dir`, `plugins.dirs`), besides the plugins the
        settings enable (claude/plugins/)."""
        plugins = discover(project, trusted=trusted, dirs=plugin_dirs, origin=plugin_origin)
        check_unused_parts(plugins)
        servers = None
        if mcp:
            servers = McpServers.for_project(
                project,
                approve=approve_mcp,
                on_problem=on_problem,
                trusted=trusted,
                environ=environ,
            )
            plugin_parts.add_mcp_servers(plugins, servers.config, environ or dict(os.environ))
        commands = _load_commands(project, plugins, trusted)
        hooks_config = load_hooks(project, hooks, trusted=trusted)
        plugin_parts.add_hooks(plugins, hooks_config)
        skills = load_skills(project)
        plugin_parts.add_skills(plugins, skills)
        if not trusted:  # the folder's own commands and skills pre-approve nothing yet
            commands.commands = {
                name: dataclasses.replace(c, allowed_tools=()) if c.source == "project" else c
                for name, c in commands.commands.items()
            }
            skills.skills = {
                name: dataclasses.replace(s, allowed_tools=()) if s.source == "project" else s
                for name, s in skills.skills.items()
            }
        agent_set = load_agents(project, extra=agents or [])
        plugin_parts.add_agents(plugins, agent_set)
        loaded = cls(
            project,
            hooks=HookRunner(hooks_config, project_dir=project),
            commands=commands,
            skills=skills,
            agents=agent_set,
            mcp=servers,
            plugins=plugins,
            trusted=trusted,
            styles=load_output_styles(project, plugins),
            settings=read_settings(project, trusted=trusted),
        )
        loaded.main_agent = main_agent.choose(
            project, trusted=trusted, plugins=plugins, agents=agent_set, problems=loaded.problems
        )
        loaded.environ = environ
        if on_problem is not None:
            for problem in loaded.problems:
                on_problem(problem)
        if servers is not None:
            await servers.start()
        return loaded

    @classmethod
    def none(cls, project: Path) -> Extensions:
        """No hooks, commands, skills, subagents or MCP servers: prompts go to the model as
        written and no extension tools are added."""
        return _NoExtensions(project, hooks=HookRunner(HooksConfig(), project_dir=project))

    def bind_session(
        self,
        session_id: str,
        transcript_path: str | None,
        permission_mode: Callable[[], str],
        emit: Emit | None = None,
    ) -> None:
        """Called by the loop when its session starts or changes (/clear): what hooks receive
        as session_id, transcript_path and permission_mode, and where user messages go."""
        if emit is not None:
            self.emit = emit
        if session_id != self.hooks.session_id:  # a new session: skills' hooks and offers end
            self.activations.new_session()
        self.hooks.session_id = session_id
        self.renderer.session_id = session_id
        self.hooks.transcript_path = str(transcript_path)
        self.hooks.permission_mode = permission_mode

    def share(self) -> Extensions:
        """Another session's view of the same files and MCP connections, with its own event
        sink, hook session fields and active skill. Closing a view leaves the servers running;
        close the original when the last session ends."""
        view = type(self)(
            self.project,
            hooks=HookRunner(self.activations.settings_hooks, project_dir=self.project),
            commands=self.commands,
            skills=self.skills,
            agents=self.agents,
            mcp=self.mcp,
            plugins=self.plugins,
            trusted=self.renderer.trusted,
            styles=self.styles,
            settings=self.settings,
        )
        view._owns_mcp = False
        view.environ = self.environ
        view.main_agent = self.main_agent  # each editor session runs the `agent` setting's too
        return view

    def attach(self, policy: Policy, query: ModelQuery, cancel: Callable[[], CancelToken]) -> None:
        """What only the loop has: its permission rules, side requests and cancel token."""
        self.use_policy(policy)
        self.use_model(query)
        self.use_cancel(cancel)

    def use_policy(self, policy: Policy) -> None:
        """The session's permission rules, which `!` lines in commands and skills obey."""
        self.renderer.policy = policy

    def use_cancel(self, current: Callable[[], CancelToken]) -> None:
        """How to find the running prompt's cancel token (a forked skill's subagent uses it)."""
        self._cancel = current

    def use_model(self, query: ModelQuery) -> None:
        """The session's side requests to the model, which `prompt` hooks use (fast model)."""

        async def ask(request: dict[str, Any]) -> str:
            request = dict(request)
            model = request.pop("model", None)  # a prompt hook's own `model`
            snapshot = await query(request, fast=True, model=model)
            return "".join(b.get("text", "") for b in snapshot.content if b["type"] == "text")

        self.hooks.ask_model = ask

    def main_tools(self, available: list[str]) -> list[str]:
        """The session's tools the main-thread agent keeps (all without one)."""
        if self.main_agent is None:
            return available
        return main_agent.tool_names(self.main_agent, available)

    def first_prompt(self, prompt: str) -> str:
        """The first prompt of a new session, after the main-thread agent's `initialPrompt`."""
        return main_agent.first_prompt(self.main_agent, prompt)

    @property
    def trusted(self) -> bool:
        """Whether the user trusts the folder (claude/trust.py)."""
        return self.renderer.trusted

    def for_subagent(self, hooks: HookRunner | None = None) -> Extensions:
        """A view for a subagent run: the same hooks around its tool calls and SubagentStop (or
        `hooks`, the session's plus the subagent's own), but its prompt is the parent's
        instruction (no slash commands, no UserPromptSubmit) and it has no session of its own
        (no SessionStart/SessionEnd)."""
        view = _SubagentExtensions(
            self.project,
            hooks=hooks or self.hooks,
            commands=self.commands,
            skills=self.skills,
            agents=self.agents,
            mcp=self.mcp,
            plugins=self.plugins,
            trusted=self.renderer.trusted,
            styles=self.styles,
            settings=self.settings,
        )
        view._owns_mcp = False
        view.environ = self.environ
        view._own_hooks = hooks is not None
        return view

    def without_hooks(self) -> Extensions:
        """A subagent view that fires no hooks (an agent hook's verifier)."""
        view = self.for_subagent()
        view.hooks = HookRunner(HooksConfig(), project_dir=self.hooks.project_dir)
        return view

    def tools(
        self,
        *,
        run_subagent: SubagentRunner | None,
        ask: CanUseTool | None,
        get_mode: Callable[[], str],
        set_mode: Callable[[str], None],
    ) -> list[Tool]:
        self._run_subagent = run_subagent
        if run_subagent is not None:
            self.hooks.run_agent = agent_runner(
                run_subagent, lambda: self._cancel(), lambda: self.hooks.fast_model
            )
        found: list[Tool] = [
            ExitPlanModeTool(ask, get_mode, set_mode),
            EnterPlanModeTool(get_mode, set_mode),
            AskUserQuestionTool(ask),
        ]
        if self.skills.for_model():
            skill_tool = SkillTool(self.skills, self._activate, self._skill_text, self._offered)
            found.append(skill_tool)
        if run_subagent is not None:
            found.append(TaskTool(self.agents, run_subagent))
        if self.mcp is not None:
            found += self.mcp.tools()
        return found

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

    def bin_dirs(self) -> list[Path]:
        """Plugins' `bin/` folders, put before PATH for the Bash tool, as Claude Code does."""
        return self.plugins.bin_dirs()

    def system_prompt(self) -> str:
        return "\n\n".join(
            t
            for t in (
                self.styles.system_prompt(),
                skills_prompt(self.skills, self.activations.offered),
            )
            if t
        )

    def instructions(self, built_in: str) -> str:
        """The base instructions under the chosen output style (claude/output_styles.py)."""
        return self.styles.instructions(built_in)

    def _activate(self, skill: Skill) -> None:
        self.active_skill = skill

    def _offered(self) -> set[str]:
        return self.activations.offered

    def tool_refusal(self, name: str) -> str:
        """Why `name` may not run under the active skill's `disallowed-tools` ("" if it may)."""
        skill = self.active_skill
        if skill is not None and name in skill.disallowed_tools:
            return f"{name} is not available while the skill {skill.name!r} is active"
        return ""

    def _invoked(self, label: str, path: Path | None, source: str, grants: tuple[str, ...]) -> None:
        plugin = self.renderer.plugin(source)  # a plugin's hooks get its CLAUDE_PLUGIN_ROOT
        env = tuple(plugin.variables().items()) if plugin is not None else ()
        for message in self.activations.invoked(label, path, source, grants, env):
            self.emit("hook", {"event": "UserPromptSubmit", "message": message})

    # -- prompts ----------------------------------------------------------------------------

    async def prompt(self, text: str) -> PromptPlan:
        self.active_skill = None
        self.activations.new_prompt()
        self.halt = ""
        await self.check_files()
        plan = await self._expand(text)
        if plan.action != "send":
            return plan
        outcome = await self._hook("UserPromptSubmit", {"prompt": plan.text})
        if outcome.blocked or outcome.stop:
            why = outcome.reason or outcome.stop_reason or "blocked by a UserPromptSubmit hook"
            return PromptPlan("refuse", message=why, stop=outcome.stop)
        late = self._late_notes()
        plan.context = [*plan.context, *outcome.additional_context, *late]
        return plan

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

    # -- tools ------------------------------------------------------------------------------

    async def pre_tool(self, name: str, tool_input: dict[str, Any], tool_use_id: str) -> ToolGate:
        payload = {"tool_name": name, "tool_input": tool_input, "tool_use_id": tool_use_id}
        outcome = await self._hook("PreToolUse", payload, name)
        reason = outcome.permission_reason or outcome.reason
        if outcome.stop:
            reason = outcome.stop_reason or "a hook stopped the run"
            return ToolGate("deny", reason, tool_input, stop=True)
        new_input = outcome.updated_input if outcome.updated_input is not None else tool_input
        return ToolGate(outcome.permission_decision, reason, new_input)

    async def post_tool(
        self, name: str, tool_input: dict[str, Any], tool_use_id: str, result: ToolResult
    ) -> ToolResult:
        """The result the model sees: hook feedback (exit 2, decision block, additional
        context) is appended to it. A hook's `continue: false` sets `halt`: the loop ends the
        run once this turn's results are in."""
        event = "PostToolUseFailure" if result.is_error else "PostToolUse"
        payload: dict[str, Any] = {"tool_name": name, "tool_input": tool_input}
        payload["tool_use_id"] = tool_use_id
        payload["error" if result.is_error else "tool_response"] = result.content
        outcome = await self._hook(event, payload, name)
        if outcome.stop:
            self.halt = outcome.stop_reason or f"a {event} hook stopped the run"
        if outcome.updated_output is not None:  # PostToolUse's `updatedToolOutput`
            result = ToolResult(_as_result(outcome.updated_output), result.is_error)
        notes = [*([outcome.reason] if outcome.blocked else []), *outcome.additional_context]
        lines = [f"[{event} hook] {note}" for note in notes]
        lines += self.activations.offer(self.skills.for_model(), tool_input)
        if not lines:
            return result
        feedback = "\n".join(lines)
        if isinstance(result.content, str):
            return ToolResult(f"{result.content}\n\n{feedback}", result.is_error)
        return ToolResult([*result.content, {"type": "text", "text": feedback}], result.is_error)

    def ask_with_notification(self, can_use_tool: CanUseTool | None) -> CanUseTool | None:
        """The host's permission callback, with Notification hooks fired before each prompt.
        A call the running command's `allowed-tools` cover is allowed without asking (deny
        rules were checked before any question); headless, that is the only way to yes."""
        uses_rules = any(c.allowed_tools for c in self.commands.commands.values()) or any(
            s.allowed_tools for s in self.skills.skills.values()
        )
        asked_hooks = self.hooks.has("PermissionRequest") or self.hooks.has("PermissionDenied")
        if can_use_tool is None and not uses_rules and not asked_hooks:
            return None

        async def ask(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
            if self.activations.allows(name, tool_input):
                return PermissionResult("allow")
            # PermissionRequest hooks may answer for the user (allow or deny, new input).
            call = {"tool_name": name, "tool_input": tool_input}
            request = await self._hook("PermissionRequest", call, name)
            if request.stop:  # a deny with `interrupt: true` also stops the agent
                self.halt = request.stop_reason or "a PermissionRequest hook stopped the run"
            if request.permission_decision in ("allow", "deny"):
                return PermissionResult(
                    request.permission_decision,
                    updated_input=request.updated_input,
                    message=request.permission_reason or "denied by a PermissionRequest hook",
                )
            if can_use_tool is None:
                answer = PermissionResult("deny", message=headless_denial(name, reason))
            else:
                message = f"Claude needs your permission to use {name}"
                payload = {"message": message, "notification_type": "permission_prompt"}
                await self._hook("Notification", payload, "permission_prompt")
                answer = await can_use_tool(name, tool_input, reason)
            if answer.behavior != "allow":
                denied = await self._hook(
                    "PermissionDenied", {**call, "reason": answer.message}, name
                )
                if denied.retry:
                    message = f"{answer.message}\n{RETRY_NOTE}".strip()
                    answer = dataclasses.replace(answer, message=message)
            return answer

        return ask

    # -- lifecycle --------------------------------------------------------------------------

    async def stop(
        self, continuations: int, *, subagent: bool = False, last_message: str = ""
    ) -> str | None:
        """The text to continue with when a Stop (SubagentStop) hook blocks, else None.
        SubagentStop hooks match on the subagent's type, as SubagentStart's do."""
        event = "SubagentStop" if subagent else "Stop"
        payload: dict[str, Any] = {"stop_hook_active": continuations > 0}
        payload["last_assistant_message"] = last_message
        matcher = None
        if subagent and self.subagent_type:
            payload |= {"agent_id": self.subagent_id, "agent_type": self.subagent_type}
            matcher = self.subagent_type
        outcome = await self._hook(event, payload, matcher)
        if outcome.stop or continuations >= MAX_STOP_CONTINUATIONS:
            return None
        # A block's reason, or `additionalContext` (feedback, not an error): either keeps it going.
        notes = [*([outcome.reason] if outcome.blocked else []), *outcome.additional_context]
        return "\n\n".join(notes) if notes else None

    async def session_start(self, source: str, model: str = "") -> list[str]:
        """Context for the model from SessionStart hooks (source: startup | resume | clear |
        compact). InstructionsLoaded fires first, once per CLAUDE.md file the session loads."""
        if self.hooks.has("InstructionsLoaded"):
            await self._instructions_loaded(compacted=source == "compact")
        self.file_hooks.start()
        payload = {"source": source, **({"model": model} if model else {})}
        outcome = await self._hook("SessionStart", payload, source)
        if outcome.watch_paths is not None:
            self.file_hooks.watch_paths(outcome.watch_paths)
        if outcome.reload_skills:
            self._reload_skills()
        return outcome.additional_context

    def _reload_skills(self) -> None:
        """SessionStart's `reloadSkills`: skills and commands a hook installed, found again.
        In place, so the Skill tool and the listings see them."""
        skills = load_skills(self.project)
        plugin_parts.add_skills(self.plugins, skills)
        self.skills.skills.clear()
        self.skills.skills.update(skills.skills)
        commands = _load_commands(self.project, self.plugins, self.renderer.trusted)
        self.commands.commands.clear()
        self.commands.commands.update(commands.commands)
        for problem in [*skills.problems, *commands.problems]:
            self.emit("hook", {"event": "SessionStart", "message": problem})

    def _late_notes(self) -> list[str]:
        """What `async` hooks that finished since the last turn said for the model."""
        return self.hooks.take_background_notes()

    async def check_files(self) -> None:
        """FileChanged and ConfigChange hooks for what changed on disk since the last check
        (claude/hook_watch.py): before each prompt and after each batch of tool calls."""
        for event, payload, matcher in self.file_hooks.due():
            outcome = await self._hook(event, payload, matcher)
            if outcome.watch_paths is not None:
                self.file_hooks.watch_paths(outcome.watch_paths)

    async def _instructions_loaded(self, *, compacted: bool = False) -> None:
        from lsp_agent.agent.prompt.memory import load_memory

        home = Path.home().resolve()
        excludes = self.settings.claude_md_excludes
        for memory in load_memory(self.project, trusted=self.renderer.trusted, excludes=excludes):
            reason = "include" if memory.imported_from is not None else "session_start"
            reason = "compact" if compacted else reason  # read again after a compaction
            kind = "User" if memory.path.is_relative_to(home / ".claude") else "Project"
            if memory.path.name == "CLAUDE.local.md":
                kind = "Local"
            payload = {"file_path": str(memory.path), "memory_type": kind, "load_reason": reason}
            await self._hook("InstructionsLoaded", payload, reason)

    async def session_end(self, reason: str = "other") -> None:
        await self._hook("SessionEnd", {"reason": reason}, reason)
        self.hooks.env_file().unlink(missing_ok=True)  # SessionStart writes it again on resume

    async def post_tool_batch(
        self, calls: list[dict[str, Any]], results: Sequence[dict[str, Any]] = ()
    ) -> list[dict[str, Any]]:
        """PostToolBatch, once a turn's tool calls have all resolved: text blocks (hook context
        and block reasons) to send with the results. A block or `continue: false` also sets
        `halt`: the loop stops before the next model request (the reason stays in the
        conversation for when it goes on)."""
        await self.check_files()
        late = [{"type": "text", "text": f"[async hook] {n}"} for n in self._late_notes()]
        if not self.hooks.has("PostToolBatch"):
            return late
        sent = {r.get("tool_use_id"): r.get("content") for r in results}
        batch = [
            {
                "tool_name": c.get("name"),
                "tool_input": c.get("input"),
                "tool_use_id": c.get("id"),
                "tool_response": sent.get(c.get("id"), ""),
            }
            for c in calls
        ]
        outcome = await self._hook("PostToolBatch", {"tool_calls": batch})
        reason = outcome.reason if outcome.blocked else ""
        if outcome.stop or outcome.blocked:
            self.halt = outcome.stop_reason or reason or "a PostToolBatch hook stopped the run"
            if reason:
                self.emit("hook", {"event": "PostToolBatch", "message": reason})
        notes = [*([reason] if reason else []), *outcome.additional_context]
        return [*late, *({"type": "text", "text": f"[PostToolBatch hook] {n}"} for n in notes)]

    async def stop_failure(self, error: str, kind: str = "unknown") -> None:
        """StopFailure: the run ended on an API error (its output is not used). `kind` is
        Claude Code's error type (`failure_kind`), the matcher; `error` the text."""
        payload = {"error": kind, "error_details": error, "last_assistant_message": error}
        await self._hook("StopFailure", payload, kind)

    async def subagent_start(self, agent_type: str, agent_id: str) -> list[str]:
        """SubagentStart: context for the subagent from the hooks."""
        payload = {"agent_type": agent_type, "agent_id": agent_id}
        return (await self._hook("SubagentStart", payload, agent_type)).additional_context

    async def aclose(self) -> None:
        await self.hooks.stop_background()  # `async` hooks end with the session, as with -p
        if self.mcp is not None and self._owns_mcp:
            await self.mcp.aclose()

    async def _hook(
        self, event: str, payload: dict[str, Any], matcher_value: str | None = None
    ) -> HookOutcome:
        self.hooks.on_status = lambda text: self.emit("hook", {"event": event, "message": text})
        outcome = await self.hooks.run(event, payload, matcher_value)
        messages = outcome.user_messages()
        if outcome.stop and outcome.stop_reason:
            messages.append(outcome.stop_reason)
        for message in messages:
            self.emit("hook", {"event": event, "message": message})
        return outcome


class _SubagentExtensions(Extensions):
    _own_hooks = False  # a runner with the subagent's frontmatter hooks (subagent_scope.py)

    def use_model(self, query: ModelQuery) -> None:
        return None  # the hooks are the parent's, and keep the parent's model (and its cost)

    def bind_session(
        self,
        session_id: str,
        transcript_path: str | None,
        permission_mode: Callable[[], str],
        emit: Emit | None = None,
    ) -> None:
        if emit is not None:  # the hooks keep the parent session's fields: they are shared
            self.emit = emit
        if self._own_hooks:  # its own runner reports the subagent's mode
            self.hooks.permission_mode = permission_mode

    async def prompt(self, text: str) -> PromptPlan:
        return PromptPlan("send", text)

    async def session_start(self, source: str, model: str = "") -> list[str]:
        return []

    async def session_end(self, reason: str = "other") -> None:
        return None

    async def check_files(self) -> None:
        return None  # the parent's checkpoints see what the subagent changed

    def _late_notes(self) -> list[str]:
        return []  # `async` hooks report to the parent's conversation


class _NoExtensions(Extensions):
    async def prompt(self, text: str) -> PromptPlan:
        return PromptPlan("send", text)

    def tools(
        self,
        *,
        run_subagent: SubagentRunner | None,
        ask: CanUseTool | None,
        get_mode: Callable[[], str],
        set_mode: Callable[[str], None],
    ) -> list[Tool]:
        return []

    def ask_with_notification(self, can_use_tool: CanUseTool | None) -> CanUseTool | None:
        return can_use_tool

    def for_subagent(self, hooks: HookRunner | None = None) -> Extensions:
        return self


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


RETRY_NOTE = "A PermissionDenied hook says you may retry this tool call."


def _as_result(value: Any) -> str | list[dict[str, Any]]:
    """A hook's replacement tool output as tool_result content: text as is, content blocks as
    they are, anything else (a structured output) as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(b, dict) and "type" in b for b in value):
        return value
    return json.dumps(value)


def _load_commands(project: Path, plugins: PluginSet, trusted: bool) -> CommandSet:
    """The custom and plugin commands; an untrusted folder's own lose their `allowed-tools`."""
    commands = load_commands(project)
    plugin_parts.add_commands(plugins, commands)
    if not trusted:
        commands.commands = {
            name: dataclasses.replace(c, allowed_tools=()) if c.source == "project" else c
            for name, c in commands.commands.items()
        }
    return commands
