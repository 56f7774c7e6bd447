"""`lsp-agent doctor` names the provider, its endpoint and the credential variables it found
(never their values), and `--probe` sends one tiny request through the run's own client."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from lsp_agent.testing.fake_openai import FakeOpenAI
from tests.agent.test_cli_ask import COMMAND
from tests.conftest import isolated_env

KEY = "sk-proj-DOCTOR-KEY-must-never-leak-0123456789"


async def doctor(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "doctor",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


async def test_doctor_probes_an_openai_compatible_endpoint(tmp_path: Path) -> None:
    answer = {"content": [{"type": "text", "text": "ok"}]}
    async with FakeOpenAI({"responses": [answer, answer]}, api_key=KEY) as fake:
        url = fake.openai_url
        env = isolated_env(tmp_path)
        env.update(
            LSP_AGENT_PROVIDER="openai",
            LSP_AGENT_MODEL="llama3.1:8b",
            OPENAI_BASE_URL=fake.openai_url,
            OPENAI_API_KEY=KEY,
        )
        code, out = await doctor(env, "--json", "--probe")
        text_code, text = await doctor(env, "--probe")
    assert code == 0 and text_code == 0, out + text
    assert KEY not in out + text
    report = json.loads(out)
    assert report["provider"]["name"] == "openai"
    assert report["provider"]["endpoint"] == url
    assert report["provider"]["credentials"] == ["OPENAI_API_KEY"]
    assert report["probe"].startswith("ok")
    assert "provider: openai (chosen by setting provider), model llama3.1:8b" in text
    assert fake.violations == []


async def test_doctor_probe_failure_names_the_variable(tmp_path: Path) -> None:
    scenario = {"responses": [{"status": 401, "error": {"message": f"invalid key {KEY}"}}]}
    async with FakeOpenAI(scenario) as fake:
        env = isolated_env(tmp_path)
        env.update(LSP_AGENT_PROVIDER="openai", OPENAI_BASE_URL=fake.openai_url, OPENAI_API_KEY=KEY)
        code, out = await doctor(env, "--probe")
    assert code == 1
    assert "probe: FAILED: authentication failed: set OPENAI_API_KEY" in out
    assert KEY not in out


async def test_doctor_reports_claude_code_cloud_variables(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    env.update(CLAUDE_CODE_USE_FOUNDRY="1", ANTHROPIC_FOUNDRY_RESOURCE="acme")
    code, out = await doctor(env)
    assert code == 0
    assert "provider: foundry (chosen by CLAUDE_CODE_USE_FOUNDRY)" in out
    # No key: Azure's credential chain gives an Entra ID token, as in Claude Code.
    assert "API key: configured (Azure credential chain)" in out
    assert "https://acme.services.ai.azure.com/anthropic" in out
    env = {**isolated_env(tmp_path), "CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "eu-west-1"}
    env["AWS_BEARER_TOKEN_BEDROCK"] = KEY
    code, out = await doctor(env, "--json")
    report = json.loads(out)["provider"]
    assert report["name"] == "bedrock"
    assert report["endpoint"] == "https://bedrock-runtime.eu-west-1.amazonaws.com"
    assert report["credentials"] == ["AWS_BEARER_TOKEN_BEDROCK"]
    assert KEY not in out
