"""Settings merging: one `check(layers, expected, problems)` helper over data rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lsp_agent import settings

DEFAULTS = settings.to_dict(settings.Settings())


def check(layers: list[tuple[str, Any]], changed: dict[str, Any], problems: list[str]) -> None:
    merged, found = settings.merge(layers)
    expected = {**DEFAULTS, **{k: v for k, v in changed.items() if k != "index"}}
    expected["index"] = {**DEFAULTS["index"], **changed.get("index", {})}
    assert settings.to_dict(merged) == expected
    assert len(found) == len(problems), found
    for text, needle in zip(found, problems, strict=True):
        assert needle in text


CASES = [
    ([], {}, []),
    ([("init", {"maxTurns": 5, "model": "m"})], {"maxTurns": 5, "model": "m"}, []),
    ([("init", {"maxTurns": 0})], {}, ["'maxTurns' (must be >= 1); using 50"]),
    ([("init", {"maxTurns": 2.5})], {}, ["whole number"]),
    ([("init", {"maxTurns": True})], {}, ["must be a number"]),
    ([("init", {"permissionMode": "yolo"})], {}, ["must be one of default, acceptEdits"]),
    ([("init", {"permissionMode": "plan"})], {"permissionMode": "plan"}, []),
    ([("init", {"nope": 1})], {}, ["unknown setting 'nope'"]),
    ([("init", {"index": {"exclude": ["*.min.js"]}})], {"index": {"exclude": ["*.min.js"]}}, []),
    ([("init", {"index": {"exclude": "x"}})], {}, ["must be a list of strings"]),
    ([("init", "garbage")], {}, ["settings must be an object"]),
    # A later layer wins; an invalid later value falls back to the earlier layer's value.
    ([("a", {"maxTurns": 4}), ("b", {"maxTurns": 9})], {"maxTurns": 9}, []),
    ([("a", {"maxTurns": 4}), ("b", {"maxTurns": -1})], {"maxTurns": 4}, ["using 4"]),
    # Environment values are strings and are parsed.
    (
        [("environment", {"maxTurns": "12", "index.enabled": "false"})],
        {"maxTurns": 12, "index": {"enabled": False}},
        [],
    ),
    ([("environment", {"maxBudgetUsd": "1.5"})], {"maxBudgetUsd": 1.5}, []),
    ([("environment", {"index.exclude": "a/**, b"})], {"index": {"exclude": ["a/**", "b"]}}, []),
    ([("environment", {"index.exclude": '["c"]'})], {"index": {"exclude": ["c"]}}, []),
    ([("environment", {"maxTurns": "lots"})], {}, ["must be a number"]),
    ([("environment", {"maxBudgetUsd": "nan"})], {}, ["finite"]),
    ([("init", {"permissionPromptTimeout": float("inf")})], {}, ["finite"]),
    # ...but an editor sending a string for a number is an error, not parsed.
    ([("init", {"maxTurns": "12"})], {}, ["must be a number"]),
]


@pytest.mark.parametrize(("layers", "changed", "problems"), CASES)
def test_merge(layers: list[tuple[str, Any]], changed: dict[str, Any], problems: list[str]) -> None:
    check(layers, changed, problems)


def test_environment_variable_names() -> None:
    layer = settings.env_layer(
        {
            "LSP_AGENT_MAX_TURNS": "3",
            "LSP_AGENT_INDEX_MAX_FILE_SIZE": "9",
            "LSP_AGENT_X": "1",
            "HOME": "/",
        }
    )
    assert layer == {"maxTurns": "3", "index.maxFileSize": "9"}


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for info in settings.describe():
        assert f"`{info.key}`" in readme, info.key
        assert f"`{info.env}`" in readme, info.env
