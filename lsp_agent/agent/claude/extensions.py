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

Extensions loads and wires everything; what it does with a prompt is in its base
`UserPrompts` (claude/user_prompts.py), and the hook events the loop fires are in that one's
base `HookEvents` (claude/hook_events.py).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from lsp_agent.agent.claude import main_agent
from lsp_agent.agent.claude.activations import Activations
from lsp_agent.agent.claude.commands import CommandSet, SlashCommand, load_commands
from lsp_agent.agent.claude.hook_agent import agent_runner
from lsp_agent.agent.claude.hook_events import MAX_STOP_CONTINUATIONS, Emit, ToolGate
from lsp_agent.agent.claude.hook_watch import FileHooks
from lsp_agent.agent.claude.hooks import HookRunner
from lsp_agent.agent.claude.hooks_config import HooksConfig, load_hooks
from lsp_agent.agent.claude.invocation import Policy, Renderer
from lsp_agent.agent.claude.mcp_servers import ApproveServer, McpServers
from lsp_agent.agent.claude.output_styles import OutputStyles, load_output_styles
from lsp_agent.agent.claude.plugins import PluginSet, discover
from lsp_agent.agent.claude.plugins import parts as plugin_parts
from lsp_agent.agent.claude.plugins.checks import check_unused_parts
from lsp_agent.agent.claude.settings_keys import ClaudeSettings, read_settings
from lsp_agent.agent.claude.skills import Skill, SkillSet, load_skills, skills_prompt
from lsp_agent.agent.claude.subagents import AgentDefinition, AgentSet, SubagentRunner, load_agents
from lsp_agent.agent.claude.user_prompts import PromptPlan, UserPrompts
from lsp_agent.agent.ports import CancelToken, CanUseTool
from lsp_agent.agent.tools.ask_user import AskUserQuestionTool
from lsp_agent.agent.tools.base import ModelQuery, Tool
from lsp_agent.agent.tools.exit_plan_mode import EnterPlanModeTool, ExitPlanModeTool
from lsp_agent.agent.tools.skill import SkillTool
from lsp_agent.agent.tools.task import TaskTool

# The loop's view is this module: what moved to the bases is still importable from here.
__all__ = ["MAX_STOP_CONTINUATIONS", "Emit", "Extensions", "PromptPlan", "ToolGate"]


_Granting = TypeVar("_Granting", SlashCommand, Skill)


class Extensions(UserPrompts):
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
        self.emit = lambda kind, data: None
        self.active_skill = None
        self._run_subagent = None
        self.subagent_type = self.subagent_id = ""  # a subagent view's: SubagentStop's fields
        self.file_hooks = FileHooks(hooks.config, project)  # FileChanged, ConfigChange
        self.file_hooks.start()
        self._cancel = CancelToken
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
        skills = _load_skills(project, plugins, trusted)
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

    def tool_refusal(self, name: str) -> str:
        """Why `name` may not run under the active skill's `disallowed-tools` ("" if it may)."""
        skill = self.active_skill
        if skill is not None and name in skill.disallowed_tools:
            return f"{name} is not available while the skill {skill.name!r} is active"
        return ""

    def _reload_skills(self) -> None:
        """SessionStart's `reloadSkills`: skills and commands a hook installed, found again.
        In place, so the Skill tool and the listings see them."""
        skills = _load_skills(self.project, self.plugins, self.renderer.trusted)
        self.skills.skills.clear()
        self.skills.skills.update(skills.skills)
        commands = _load_commands(self.project, self.plugins, self.renderer.trusted)
        self.commands.commands.clear()
        self.commands.commands.update(commands.commands)
        for problem in [*skills.problems, *commands.problems]:
            self.emit("hook", {"event": "SessionStart", "message": problem})

    async def aclose(self) -> None:
        await self.hooks.stop_background()  # `async` hooks end with the session, as with -p
        if self.mcp is not None and self._owns_mcp:
            await self.mcp.aclose()


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

    async def session_start(self, source: str, model: str = "", title: str = "") -> list[str]:
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


def _load_skills(project: Path, plugins: PluginSet, trusted: bool) -> SkillSet:
    """The folder's, the user's and plugin skills; an untrusted folder's own lose their
    `allowed-tools` (they pre-approve nothing before trust)."""
    skills = load_skills(project)
    plugin_parts.add_skills(plugins, skills)
    if not trusted:
        skills.skills = _no_folder_grants(skills.skills)
    return skills


def _load_commands(project: Path, plugins: PluginSet, trusted: bool) -> CommandSet:
    """The custom and plugin commands; an untrusted folder's own lose their `allowed-tools`."""
    commands = load_commands(project)
    plugin_parts.add_commands(plugins, commands)
    if not trusted:
        commands.commands = _no_folder_grants(commands.commands)
    return commands


def _no_folder_grants(parts: dict[str, _Granting]) -> dict[str, _Granting]:
    """The folder's own commands or skills without their `allowed-tools`: before trust they
    pre-approve nothing."""
    return {
        name: dataclasses.replace(part, allowed_tools=()) if part.source == "project" else part
        for name, part in parts.items()
    }
