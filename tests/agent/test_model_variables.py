"""Claude Code's model variables: ANTHROPIC_MODEL below LSP_AGENT_MODEL and the editor's or
command line's `model`; ANTHROPIC_DEFAULT_{SONNET,OPUS,HAIKU}_MODEL repointing the aliases;
ANTHROPIC_SMALL_FAST_MODEL (older) and ANTHROPIC_DEFAULT_HAIKU_MODEL for background work."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_agent import settings
from lsp_agent.agent.assembly import agent_options
from lsp_agent.agent.model.names import ModelNames, model_names
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env

CLAUDE_CODE = {
    "ANTHROPIC_MODEL": "opus",
    "ANTHROPIC_DEFAULT_OPUS_MODEL": "claude-opus-4-5",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "haiku-deployment",
}


@pytest.mark.parametrize(
    ("environ", "name", "expected"),
    [
        ({}, "sonnet", "claude-sonnet-5"),
        ({}, "opus", "claude-opus-5"),
        ({}, "fable", "claude-fable-5"),
        ({}, "default", "claude-opus-5"),
        ({"ANTHROPIC_DEFAULT_OPUS_MODEL": "o"}, "default", "o"),  # the recommended family's
        ({}, "claude-opus-4-1-20250805", "claude-opus-4-1-20250805"),
        ({"ANTHROPIC_DEFAULT_SONNET_MODEL": "claude-sonnet-4-6"}, "sonnet", "claude-sonnet-4-6"),
        ({"ANTHROPIC_DEFAULT_SONNET_MODEL": "s"}, "sonnet[1m]", "s[1m]"),
        ({"ANTHROPIC_DEFAULT_OPUS_MODEL": "arn:aws:bedrock:x"}, "opus", "arn:aws:bedrock:x"),
        ({"ANTHROPIC_DEFAULT_HAIKU_MODEL": "h"}, "haiku", "h"),
    ],
)
def test_aliases(environ: dict[str, str], name: str, expected: str) -> None:
    assert model_names(environ).resolve(name) == expected


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        (
            "anthropic",
            {"opus": "claude-opus-5", "sonnet": "claude-sonnet-5", "default": "claude-opus-5"},
        ),
        (
            "bedrock",
            {"opus": "claude-opus-5", "sonnet": "claude-sonnet-4-5", "default": "claude-opus-5"},
        ),
        (
            "vertex",
            {"opus": "claude-opus-5", "sonnet": "claude-sonnet-4-5", "default": "claude-opus-5"},
        ),
        (
            "foundry",
            {
                "opus": "claude-opus-4-6",
                "sonnet": "claude-sonnet-4-5",
                "default": "claude-sonnet-4-5",
            },
        ),
    ],
)
def test_aliases_name_what_each_provider_serves(provider: str, expected: dict[str, str]) -> None:
    """Claude Code's model configuration: which release `opus`, `sonnet` and the default name
    on each provider."""
    names = model_names({}, provider)
    assert {alias: names.resolve(alias) for alias in expected} == expected


async def test_the_default_model_is_the_providers_recommended(tmp_path: Path) -> None:
    options = agent_options(settings.merge([])[0], cwd=tmp_path, environ={})
    assert options.model == "claude-opus-5"
    bedrock = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-west-2"}
    config, _ = settings.merge([("test", {"model": "sonnet"})])
    assert agent_options(config, cwd=tmp_path, environ=bedrock).model == "claude-sonnet-4-5"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "claude-haiku-4-5"),
        ({"ANTHROPIC_SMALL_FAST_MODEL": "old"}, "old"),
        ({"ANTHROPIC_SMALL_FAST_MODEL": "old", "ANTHROPIC_DEFAULT_HAIKU_MODEL": "new"}, "new"),
    ],
)
def test_small_fast_model(environ: dict[str, str], expected: str, tmp_path: Path) -> None:
    options = agent_options(settings.merge([])[0], cwd=tmp_path, environ=environ)
    assert options.small_fast_model == expected
    assert model_names(environ).small_fast == expected


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([("environment", settings.env_layer({"ANTHROPIC_MODEL": "opus"}))], "opus"),
        (
            [("environment", settings.env_layer({**CLAUDE_CODE, "LSP_AGENT_MODEL": "m"}))],
            "m",
        ),
        (
            [
                ("environment", settings.env_layer(CLAUDE_CODE)),
                ("initializationOptions", {"model": "from-the-editor"}),
            ],
            "from-the-editor",
        ),
    ],
)
def test_anthropic_model_is_the_lowest_layer(
    layers: list[tuple[str, dict[str, str]]], expected: str
) -> None:
    merged, problems = settings.merge(layers)  # type: ignore[arg-type]
    assert problems == []
    assert merged.model == expected


def test_options_resolve_the_main_and_fallback_model(tmp_path: Path) -> None:
    config, _ = settings.merge(
        [("environment", settings.env_layer(CLAUDE_CODE)), ("test", {"fallbackModel": "sonnet"})]
    )
    options = agent_options(config, cwd=tmp_path, environ=CLAUDE_CODE)
    assert (options.model, options.fallback_model) == ("claude-opus-4-5", "claude-sonnet-5")
    assert ModelNames(options.model_aliases).resolve("haiku") == "haiku-deployment"


def subagent_scenario() -> dict[str, object]:
    task = {"description": "look", "prompt": "Look around", "subagent_type": "general-purpose"}
    text = [{"type": "text", "text": "Done."}]
    return {
        "responses": [
            {
                "content": [
                    {"type": "tool_use", "name": "Task", "input": {**task, "model": "haiku"}}
                ]
            },
            {"content": [{"type": "text", "text": "Nothing to see."}]},  # the subagent
            {"content": text},
        ]
    }


async def models_sent(
    tmp_path: Path, workspace: Path, variables: dict[str, str], *args: str
) -> list[str]:
    async with FakeAnthropic(subagent_scenario()) as fake:
        env = {**cli_env(tmp_path, fake), **variables}
        done = await ask(env, "--cwd", str(workspace), *args, "look around")
    assert done.code == 0, done.stderr
    assert fake.violations == []
    return [str(r.body["model"]) for r in fake.requests]  # type: ignore[index]


async def test_lsp_agent_ask_honours_claude_code_model_variables(
    workspace: Path, tmp_path: Path
) -> None:
    models = await models_sent(tmp_path, workspace, CLAUDE_CODE)
    assert models == ["claude-opus-4-5", "haiku-deployment", "claude-opus-4-5"]
    models = await models_sent(tmp_path, workspace, {**CLAUDE_CODE, "LSP_AGENT_MODEL": "sonnet"})
    assert models == ["claude-sonnet-5", "haiku-deployment", "claude-sonnet-5"]
    models = await models_sent(tmp_path, workspace, CLAUDE_CODE, "--model", "claude-x")
    assert models[0] == "claude-x"
