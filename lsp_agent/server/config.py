"""Settings over LSP: initializationOptions, `workspace/configuration` and its change
notifications. Problems are shown to the user and the offending values replaced by defaults."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from lsp_agent import settings as settings_mod
from lsp_agent.server import logs
from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

SECTION = "lspAgent"
SETTINGS_COMMAND = "lspAgent.settings"
# A client that never answers a start-up request must not hold back the features after it.
CLIENT_TIMEOUT_S = 10.0


def register(server: AgentServer) -> None:
    server.on_settings_changed(lambda s: logs.set_level(s.logLevel))

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: AgentServer, params: types.InitializeParams) -> None:
        ls.initialization_options = params.initialization_options
        _apply(ls, None, report=False)

    @server.feature(types.INITIALIZED)
    async def on_initialized(ls: AgentServer, params: types.InitializedParams) -> None:
        ls.log_handler.loop = asyncio.get_running_loop()
        logs.attach_editor_handler(ls.log_handler)
        _report(ls, ls.settings_problems)
        await _register_change_notifications(ls)
        await refresh(ls)
        await ls.run_initialized_callbacks()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_changed(ls: AgentServer, params: types.DidChangeConfigurationParams) -> None:
        pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
        await refresh(ls, pushed)

    @server.command(SETTINGS_COMMAND)
    def show_settings(ls: AgentServer, *args: Any) -> dict[str, Any]:
        """The effective settings and the problems found in them (for health checks)."""
        return {"settings": settings_mod.to_dict(ls.settings), "problems": ls.settings_problems}


def _supports_pull(ls: AgentServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.configuration)


async def refresh(ls: AgentServer, pushed: Any = None) -> None:
    """Re-read the client's settings: pulled when the client supports it, else as pushed."""
    client_settings = pushed
    if _supports_pull(ls):
        try:
            async with asyncio.timeout(CLIENT_TIMEOUT_S):
                result = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                )
            client_settings = result[0] if result else None
        except Exception as exc:  # a client that fails the request keeps the settings it had
            logger.warning("workspace/configuration failed: %s", exc)
            return
    _apply(ls, client_settings, report=True)


# initializationOptions keys that describe the client rather than set a setting.
CLIENT_KEYS = ("clientReview", "clientPrompt", "clientQuestions", "workspaceTrusted")
# Settings a workspace must not choose: the API key goes to `apiBaseUrl`, and a cloned
# repository's .vscode/settings.json reaches us through workspace/configuration.
# The provider settings decide where the code and the credentials go, too, and
# toolEnvPassthrough which credentials commands see; plugins.dirs which code runs.
USER_ONLY = (
    "apiBaseUrl",
    "provider",
    "openaiBaseUrl",
    "openaiApiKeyEnv",
    "openaiHeaders",
    "toolEnvPassthrough",
    "plugins.dirs",  # plugins run hooks and MCP servers
)


def _without(layer: Any, keys: tuple[str, ...]) -> Any:
    """`layer` without `keys`, nested (`{"plugins": {"dirs": ...}}`) or dotted alike."""
    if not isinstance(layer, dict):
        return layer
    return {k: v for k, v in settings_mod.flatten(layer).items() if k not in keys}


def _apply(ls: AgentServer, client_settings: Any, *, report: bool) -> None:
    layers = [
        ("environment", settings_mod.env_layer(ls.environ)),
        ("initializationOptions", _without(ls.initialization_options, CLIENT_KEYS)),
        (f"settings ({SECTION})", _without(client_settings, USER_ONLY)),
    ]
    merged, problems = settings_mod.merge(layers)
    env_names = {info.key: info.env for info in settings_mod.describe()}
    flat = settings_mod.flatten(client_settings) if isinstance(client_settings, dict) else {}
    for key in USER_ONLY:
        if flat.get(key):
            problems.append(
                f"'{key}' is taken only from {env_names[key]} or initializationOptions, "
                "never from workspace settings (it decides where your API key goes or what "
                "code runs)"
            )
    new_problems = [p for p in problems if p not in ls.settings_problems]
    ls.settings_problems = problems
    ls.set_settings(merged)
    if report:
        _report(ls, new_problems)
        # Tests and users watching the log can tell when a change has taken effect.
        logger.info(
            "settings applied (model %s, permission mode %s)", merged.model, merged.permissionMode
        )


def _report(ls: AgentServer, problems: list[str]) -> None:
    for problem in problems:
        logger.warning("settings: %s", problem)
    if problems:
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning,
                message="lsp-agent settings: " + "; ".join(problems),
            )
        )


async def _register_change_notifications(ls: AgentServer) -> None:
    workspace = ls.client_capabilities.workspace
    change = workspace.did_change_configuration if workspace else None
    if not (change and change.dynamic_registration):
        return
    registration = types.Registration(
        id="lsp-agent-configuration",
        method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
        register_options=types.DidChangeConfigurationRegistrationOptions(section=SECTION),
    )
    try:
        async with asyncio.timeout(CLIENT_TIMEOUT_S):
            await ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
    except Exception as exc:
        logger.warning("could not register for configuration changes: %s", exc)
