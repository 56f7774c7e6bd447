"""Foundry without ANTHROPIC_FOUNDRY_API_KEY: a Microsoft Entra ID token from azure-identity's
real default credential chain (its managed-identity source pointed at a fake token endpoint on
127.0.0.1), sent as the Bearer token to a fake Foundry resource, as Claude Code does."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from lsp_agent import settings
from lsp_agent.agent.model.errors import APIError
from lsp_agent.agent.model.providers import Provider, choose, make_client
from lsp_agent.agent.model.providers.foundry import FoundryClient
from lsp_agent.agent.ports import CancelToken
from lsp_agent.testing.fake_azure_identity import FakeAzureIdentity
from tests.agent.conftest import Run
from tests.agent.test_cli_ask import run_without_package
from tests.agent.test_providers import run_cloud

pytest.importorskip("azure.identity")

ENTRA_TOKEN = "eyJ0eXAi.ENTRA-TOKEN-must-never-leak.0123456789"
# Credentials of other sources in Azure's chain that a developer's shell may hold.
AZURE_VARIABLES = (
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_TOKEN_CREDENTIALS",
    "MSI_ENDPOINT",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
)


@pytest.fixture
def azure(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Azure's chain finds the fake's managed identity (it reads the process environment)."""
    for name in AZURE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FakeAzureIdentity(token=ENTRA_TOKEN) as fake:
        for name, value in fake.environ().items():
            monkeypatch.setenv(name, value)
        yield fake


async def run_foundry(name: str | dict[str, Any], workspace: Path, **options: Any) -> Run:
    run = await run_cloud("foundry-entra", name, workspace, **options)
    assert isinstance(run.agent.client, FoundryClient)
    return run


def test_without_a_key_the_doctor_reports_the_azure_chain() -> None:
    config, _ = settings.merge([])
    environ = {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "acme"}
    assert choose(config, environ) == Provider(
        "foundry",
        "CLAUDE_CODE_USE_FOUNDRY",
        "https://acme.services.ai.azure.com/anthropic",
        ("Azure credential chain",),
    )


async def test_an_entra_token_from_the_azure_chain(workspace: Path, azure: Any) -> None:
    run = await run_foundry("read_then_edit", workspace, permission_mode="acceptEdits")
    assert run.result.subtype == "success", run.result.result
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    for request in run.fake.requests:
        assert request.headers["authorization"] == f"Bearer {ENTRA_TOKEN}"
        assert "x-api-key" not in request.headers
    # Asked once for Foundry's audience with the identity header; cached across turns.
    assert len(run.fake.requests) > 1
    assert [(r.resource, r.identity_header) for r in azure.requests] == [
        ("https://ai.azure.com", azure.secret)
    ]


async def test_no_azure_identity_says_what_to_set(
    workspace: Path, azure: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    azure.refuse = True
    scenario = {"responses": [{"content": [{"type": "text", "text": "unreachable"}]}]}
    run = await run_foundry(scenario, workspace)
    assert run.result.is_error
    assert "no Azure credentials for Foundry" in run.result.result
    assert "ANTHROPIC_FOUNDRY_API_KEY" in run.result.result
    assert "az login" in run.result.result
    assert run.fake.requests == []  # nothing went to Foundry without a token


async def test_a_refused_entra_token_names_the_fix(
    workspace: Path, azure: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = {"responses": [{"status": 401, "error": {"type": "authentication_error"}}]}
    run = await run_foundry(scenario, workspace)
    assert "ANTHROPIC_FOUNDRY_API_KEY" in run.result.result
    assert "Azure identity" in run.result.result
    seen = run.result.result + caplog.text + json.dumps([e.data for e in run.events])
    assert ENTRA_TOKEN not in seen
    assert azure.secret not in seen


def test_without_azure_identity_the_doctor_and_ask_say_which_extra(tmp_path: Path) -> None:
    variables = {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "acme"}
    doctor = run_without_package("azure", tmp_path, "doctor", **variables)
    assert "missing: set ANTHROPIC_FOUNDRY_API_KEY, or pip install 'lsp-agent[foundry]'" in (
        doctor.stdout
    ), doctor.stdout + doctor.stderr
    ask = run_without_package("azure", tmp_path, "ask", "--cwd", str(tmp_path), "hi", **variables)
    assert ask.returncode == 1
    assert "lsp-agent[foundry]" in ask.stderr, ask.stderr


async def test_a_service_principal_in_the_host_environment_is_tried_first(
    workspace: Path, azure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AZURE_CLIENT_SECRET lives in the host's variables, not the process environment
    (credentials.py), so the chain's own EnvironmentCredential would never see it."""
    # Entra ID is out of reach: a proxy that refuses, so the attempt fails here and offline.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    secret = "azure-SECRET-must-never-leak-0123456789"
    config, _ = settings.merge([])
    environ = {
        "CLAUDE_CODE_USE_FOUNDRY": "1",
        "ANTHROPIC_FOUNDRY_RESOURCE": "acme",
        "AZURE_TENANT_ID": "tenant",
        "AZURE_CLIENT_ID": "client",
        "AZURE_CLIENT_SECRET": secret,
    }
    client = make_client(config, environ)
    request = {"model": "claude-sonnet-4-5", "max_tokens": 8, "messages": []}
    with pytest.raises(APIError) as caught:
        await client.stream(request, cancel=CancelToken())
    await client.aclose()
    assert "tried ClientSecretCredential" in caught.value.message
    assert secret not in caught.value.message
    assert azure.requests == []  # the service principal's failure is the answer
