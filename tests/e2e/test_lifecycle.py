"""The server's life over stdio: start, capabilities, settings, bad input, shutdown."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import StartServer, wait_for_log, wait_for_message

SETTINGS = "lspAgent.settings"


async def effective_settings(client: LanguageClient) -> dict:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=SETTINGS, arguments=[])
    )
    return result


async def test_initialize_advertises_utf16_and_only_what_is_implemented(
    start_server: StartServer,
) -> None:
    client = await start_server()
    result = client.initialize_result.capabilities
    assert result.position_encoding == types.PositionEncodingKind.Utf16
    assert SETTINGS in result.execute_command_provider.commands
    # Nothing registered for these, so nothing may be claimed.
    assert result.hover_provider is None
    assert result.completion_provider is None
    assert result.rename_provider is None


async def test_position_encoding_follows_client_preference(start_server: StartServer) -> None:
    client = await start_server(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
    )
    assert client.initialize_result.capabilities.position_encoding == "utf-8"


async def test_shutdown_and_exit_end_the_process_cleanly(start_server: StartServer) -> None:
    client = await start_server()
    await client.shutdown_session()
    assert client._server is not None
    assert client._server.returncode == 0


async def test_invalid_settings_are_reported_and_replaced_by_defaults(
    start_server: StartServer,
) -> None:
    client = await start_server(
        init_options={"maxTurns": -3, "permissionMode": "yolo", "model": "claude-x"},
        configuration={"lspAgent": {"maxTokens": "many", "index": {"maxFileSize": 0}}},
    )
    await wait_for_message(client, "maxTokens")
    shown = " ".join(m.message for m in client.messages)
    for key in ("maxTurns", "permissionMode", "maxTokens", "index.maxFileSize"):
        assert key in shown
    result = await effective_settings(client)
    assert result["settings"]["maxTurns"] == 50
    assert result["settings"]["permissionMode"] == "default"
    assert result["settings"]["maxTokens"] == 16384
    assert result["settings"]["index"]["maxFileSize"] == 10 * 1024 * 1024
    assert result["settings"]["model"] == "claude-x"  # valid values in the same layer survive


async def test_environment_is_the_lowest_layer(start_server: StartServer) -> None:
    client = await start_server(
        extra_env={"LSP_AGENT_MAX_TURNS": "7", "LSP_AGENT_MODEL": "from-env"},
        init_options={"model": "from-init"},
    )
    await wait_for_log(client, "settings applied")
    result = (await effective_settings(client))["settings"]
    assert result["maxTurns"] == 7
    assert result["model"] == "from-init"


async def test_configuration_change_is_reread(start_server: StartServer) -> None:
    client = await start_server(configuration={"lspAgent": {"model": "first"}})
    await wait_for_log(client, "model first")
    client.set_configuration({"lspAgent": {"model": "second", "maxTurns": 3}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await wait_for_log(client, "model second")
    result = (await effective_settings(client))["settings"]
    assert (result["model"], result["maxTurns"]) == ("second", 3)


async def test_configuration_changes_are_registered_dynamically(client: LanguageClient) -> None:
    await wait_for_log(client, "settings applied")
    methods = [r.method for r in client.registrations]
    assert types.WORKSPACE_DID_CHANGE_CONFIGURATION in methods


async def test_a_workspace_cannot_redirect_the_api_key(start_server: StartServer) -> None:
    client = await start_server(
        configuration={"lspAgent": {"apiBaseUrl": "http://attacker.example", "model": "m2"}},
        init_options={"clientReview": True},
    )
    await wait_for_message(client, "apiBaseUrl")
    result = await effective_settings(client)
    assert result["settings"]["apiBaseUrl"] == ""
    assert result["settings"]["model"] == "m2"
    # clientReview describes the client: it is no unknown setting.
    assert not any("clientReview" in problem for problem in result["problems"])


async def test_api_base_url_from_initialization_options_is_taken(start_server: StartServer) -> None:
    client = await start_server(init_options={"apiBaseUrl": "http://127.0.0.1:9"})
    await wait_for_log(client, "settings applied")
    assert (await effective_settings(client))["settings"]["apiBaseUrl"] == "http://127.0.0.1:9"
