"""The editors' settings screens offer every server setting, and the provider settings reach the
server the way the VS Code extension and the Neovim plugin send them: the keys that decide where
the code and the credentials go in initializationOptions only (the server refuses them from
workspace/configuration), the rest through workspace/configuration, re-read on
didChangeConfiguration."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lsprotocol import types

from lsp_agent import settings
from lsp_agent.server.config import USER_ONLY
from tests.e2e.conftest import StartServer, start_server, wait_for_log, workspace  # noqa: F401
from tests.e2e.test_lifecycle import effective_settings
from tests.providers.test_lsp_fix_openai import fix_hello, ollama

ROOT = Path(__file__).parent.parent.parent
EXTENSION = ROOT / "vscode-extension"


def ts_list(source: str, name: str) -> set[str]:
    """The string items of `const NAME = [...]` or `new Set<string>([...])` in TypeScript."""
    found = re.search(rf"const {name} = (?:new Set<string>\()?\[(.*?)\]", source, re.S)
    assert found, f"{name} not found"
    return set(re.findall(r'"([^"]+)"', found.group(1)))


def test_vscode_settings_screen_offers_every_server_setting() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text())
    properties = manifest["contributes"]["configuration"]["properties"]
    for info in settings.describe():
        entry = properties.get(f"lspAgent.{info.key}")
        assert entry is not None, f"package.json has no lspAgent.{info.key}"
        assert entry.get("markdownDescription"), info.key
        if entry.get("default") is not None:
            assert entry["default"] == info.default, info.key
        if info.key in USER_ONLY:  # a workspace's .vscode/settings.json must not set it
            assert entry.get("scope") == "application", info.key
    provider = properties["lspAgent.provider"]
    assert provider["enum"] == ["auto", "anthropic", "bedrock", "vertex", "foundry", "openai"]
    assert len(provider["enumDescriptions"]) == len(provider["enum"])


def test_vscode_extension_sends_every_server_setting() -> None:
    source = (EXTENSION / "src" / "server.ts").read_text()
    assert ts_list(source, "SERVER_KEYS") == {info.key for info in settings.describe()}
    assert ts_list(source, "USER_ONLY") == set(USER_ONLY)


def test_neovim_plugin_keeps_user_only_keys_out_of_workspace_configuration() -> None:
    source = (ROOT / "editors" / "nvim" / "lua" / "lsp_agent" / "init.lua").read_text()
    found = re.search(r"local USER_ONLY = \{(.*?)\}", source, re.S)
    assert found
    assert set(re.findall(r'"([^"]+)"', found.group(1))) == set(USER_ONLY)


async def test_provider_settings_reach_the_server_as_an_editor_sends_them(
    start_server: StartServer,  # noqa: F811
    workspace: Path,  # noqa: F811
) -> None:
    async with ollama(workspace) as fake:
        client = await start_server(
            # The user's own settings, as the extension sends them at start.
            init_options={
                "provider": "openai",
                "openaiBaseUrl": fake.openai_url,
                "openaiHeaders": ["X-Title: lsp-agent"],
                "model": "qwen2.5-coder:7b",
                "clientReview": False,
            },
            configuration={"lspAgent": {"model": "qwen2.5-coder:7b", "contextWindow": 8192}},
            extra_env={"LSP_AGENT_RETRY_BASE_DELAY": "0.01"},
        )
        await wait_for_log(client, "settings applied (model qwen2.5-coder:7b")
        # The user picks another model in the settings screen.
        client.set_configuration({"lspAgent": {"model": "qwen3-coder:30b", "contextWindow": 8192}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
        await wait_for_log(client, "settings applied (model qwen3-coder:30b")
        report = await effective_settings(client)
        done = (await fix_hello(client, fake, workspace)).done
    assert report["problems"] == []
    assert report["settings"]["provider"] == "openai"
    assert report["settings"]["contextWindow"] == 8192
    assert done["subtype"] == "success", done
    assert fake.violations == []
    assert {r.body["model"] for r in fake.requests} == {"qwen3-coder:30b"}
    assert all(r.headers.get("x-title") == "lsp-agent" for r in fake.requests)
