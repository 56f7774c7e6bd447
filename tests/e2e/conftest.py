"""End-to-end fixtures: a real `lsp-agent serve` over stdio driven by pytest-lsp's client.

`start_server(...)` starts and initializes one server per call (tests that need two sessions or
special capabilities call it themselves); `client` is the common case.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.e2e.agent_harness import Harness, StartAgent
from tests.e2e.editor import Editor

SERVER_COMMAND = [sys.executable, "-m", "lsp_agent", "serve"]

StartServer = Callable[..., Awaitable[LanguageClient]]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    return root


@pytest.fixture
async def start_server(env: dict[str, str], workspace: Path) -> AsyncIterator[StartServer]:
    clients: list[LanguageClient] = []

    async def start(
        *,
        root: Path | None = None,
        folders: list[Path] | None = None,  # a multi-root workspace (the first is the root)
        init_options: Any = None,
        configuration: dict[str, Any] | None = None,
        capabilities: types.ClientCapabilities | str = "visual-studio-code",
        extra_env: dict[str, str] | None = None,
        position_encodings: list[types.PositionEncodingKind] | None = None,
    ) -> LanguageClient:
        config = ClientServerConfig(
            server_command=SERVER_COMMAND, server_env={**env, **(extra_env or {})}
        )
        client = await config.start()
        assert isinstance(client, LanguageClient)
        clients.append(client)

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def on_register(params: types.RegistrationParams) -> None:
            client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

        client.registrations = []  # type: ignore[attr-defined]
        if configuration is not None:
            client.set_configuration(configuration)
        caps = client_capabilities(capabilities) if isinstance(capabilities, str) else capabilities
        if position_encodings is not None:
            caps.general = types.GeneralClientCapabilities(position_encodings=position_encodings)
        folders = folders or [root or workspace]
        client.initialize_result = await client.initialize_session(  # type: ignore[attr-defined]
            types.InitializeParams(
                capabilities=caps,
                root_uri=folders[0].as_uri(),
                workspace_folders=[
                    types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders
                ],
                initialization_options=init_options,
            )
        )
        return client

    yield start
    for client in clients:
        server = client._server
        if client.error is None and server is not None and server.returncode is None:
            await client.shutdown_session()
        await client.stop()


@pytest.fixture
async def start_agent(start_server: StartServer, workspace: Path) -> AsyncIterator[StartAgent]:
    fakes: list[FakeAnthropic] = []

    async def start(responses: list[dict[str, Any]], **kwargs: Any) -> Harness:
        fake = FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)})
        await fake.__aenter__()
        fakes.append(fake)
        extra_env = {
            "ANTHROPIC_BASE_URL": fake.base_url,
            "ANTHROPIC_API_KEY": "sk-test-key",
            "LSP_AGENT_RETRY_BASE_DELAY": "0.01",
            # "{fake}" in a value stands for the fake API's URL (known only from here on).
            **{
                k: v.replace("{fake}", fake.base_url)
                for k, v in kwargs.pop("extra_env", {}).items()
            },
        }
        client = await start_server(extra_env=extra_env, **kwargs)
        return Harness(client, Editor(client), fake, workspace)

    yield start
    for fake in fakes:
        await fake.__aexit__(None, None, None)
        assert fake.violations == [], fake.violations


@pytest.fixture
async def client(start_server: StartServer) -> LanguageClient:
    return await start_server()


async def _wait_for_text(
    client: LanguageClient, received: list[Any], method: str, needle: str, timeout: float
) -> str:
    """The first message in `received` (filled as `method` notifications arrive) containing
    `needle`: earlier ones are checked first, then each new one."""

    async def scan() -> str:
        seen = 0
        while True:
            for message in received[seen:]:
                if needle in message.message:
                    return str(message.message)
            seen = len(received)
            await client.wait_for_notification(method)

    return await asyncio.wait_for(scan(), timeout)


async def wait_for_log(client: LanguageClient, needle: str, timeout: float = 20) -> str:
    """Wait until the server logs (`window/logMessage`) a message containing `needle`."""
    return await _wait_for_text(
        client, client.log_messages, types.WINDOW_LOG_MESSAGE, needle, timeout
    )


async def wait_for_message(client: LanguageClient, needle: str, timeout: float = 20) -> str:
    """Wait until the server shows (`window/showMessage`) a message containing `needle`."""
    return await _wait_for_text(client, client.messages, types.WINDOW_SHOW_MESSAGE, needle, timeout)
