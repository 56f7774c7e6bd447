"""Vertex AI with Google's credentials: a service-account key file named by
GOOGLE_APPLICATION_CREDENTIALS in the host's variables (lsp-agent keeps that variable out of
the process environment, credentials.py), run through google-auth's real JWT flow against a
fake token endpoint on 127.0.0.1; and the message when google-auth is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_agent.agent.model.providers import make_client
from lsp_agent.agent.model.providers.vertex import VertexClient
from lsp_agent.testing.fake_vertex import FakeVertex
from tests.agent.conftest import SCENARIOS
from tests.agent.test_cli_ask import run_without_package
from tests.agent.test_providers import _agent, config

pytest.importorskip("google.auth")
pytest.importorskip("cryptography")
from lsp_agent.testing.fake_google_token import FakeGoogleToken

TOKEN = "ya29.SERVICE-ACCOUNT-TOKEN-must-never-leak-0123"


async def test_a_service_account_file_from_the_host_environment(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # no metadata server to wait for
    with FakeGoogleToken(token=TOKEN) as google:
        environ = {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": "my-project",
            "CLOUD_ML_REGION": "us-east5",
            "GOOGLE_APPLICATION_CREDENTIALS": str(google.service_account_file(tmp_path)),
            "LSP_AGENT_RETRY_BASE_DELAY": "0.001",
        }
        scenario = SCENARIOS / "read_then_edit.json"
        async with FakeVertex(scenario, variables={"cwd": str(workspace)}, token=TOKEN) as fake:
            environ["ANTHROPIC_VERTEX_BASE_URL"] = fake.vertex_url
            client = make_client(config(), environ)
            assert isinstance(client, VertexClient)
            agent = _agent(workspace, client, [], permission_mode="acceptEdits")
            result = await agent.run("Please do the task.")
            await agent.aclose()
    assert result.subtype == "success", result.result
    assert fake.violations == [], fake.violations  # each request had the service account's token
    assert google.problems == []
    assert len(google.grants) == 1  # cached across the turns


def test_vertex_without_google_auth_says_which_extra(tmp_path: Path) -> None:
    variables = {"CLAUDE_CODE_USE_VERTEX": "1", "ANTHROPIC_VERTEX_PROJECT_ID": "p"}
    ask = run_without_package("google", tmp_path, "ask", "--cwd", str(tmp_path), "hi", **variables)
    assert ask.returncode == 1
    assert "lsp-agent[vertex]" in ask.stderr, ask.stderr
