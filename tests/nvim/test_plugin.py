"""The Neovim plugin (editors/nvim) in real Neovim 0.11, against the real `lsp-agent serve` and
the scripted fake model server: review hunk by hunk, cancel, and a permission prompt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import fake_anthropic_process
from tests.e2e.test_ask_user_question import TWO_QUESTIONS
from tests.nvim.headless import HERE, headless
from tests.two_hunks import CALC, TYPE_BOTH

PLUGIN_DIR = HERE.parent.parent / "editors" / "nvim"

HELPER = "def helper(x):\n    return x\n"

SCENARIOS: dict[str, dict[str, Any]] = {
    "review": {
        "responses": [
            {
                "content": [
                    {"type": "text", "text": "I will add type hints to both functions."},
                    {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/calc.py"}},
                ]
            },
            {"content": [TYPE_BOTH]},
            {"content": [{"type": "text", "text": "Typed add only; you kept sub as it was."}]},
        ]
    },
    "cancel": {
        "responses": [
            {
                "content": [
                    {"type": "text", "text": "The file defines add, sub and a list of values."}
                ],
                "fail": {"after": 5, "mode": "hold"},
            }
        ]
    },
    "actions": {
        "responses": [
            {"content": [{"type": "text", "text": "First answer: nothing to fix."}]},
            {"content": [{"type": "text", "text": "Second answer: the sum."}]},
            {"content": [{"type": "text", "text": "Third answer: the difference."}]},
            {"content": [{"type": "text", "text": "Fourth answer: they add."}]},
        ]
    },
    "none": {"responses": []},
    "other_file": {
        "responses": [
            {
                "content": [
                    {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/helper.py"}}
                ]
            },
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "Edit",
                        "input": {
                            "file_path": "{cwd}/helper.py",
                            "old_string": "def helper(x):",
                            "new_string": "def helper(x: int) -> int:",
                        },
                    }
                ]
            },
            {"content": [{"type": "text", "text": "Typed the helper."}]},
        ]
    },
    "permission": {
        "responses": [
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "Bash",
                        "input": {
                            "command": "touch {cwd}/ran-bash",
                            "description": "make a marker",
                        },
                    }
                ]
            },
            {"content": [{"type": "text", "text": "Made the marker file."}]},
        ]
    },
    "questions": {
        "responses": [
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "AskUserQuestion",
                        "input": {"questions": TWO_QUESTIONS},
                    }
                ]
            },
            {"content": [{"type": "text", "text": "Setting them up."}]},
        ]
    },
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "calc.py").write_text(CALC)
    (root / "helper.py").write_text(HELPER)
    return root


def run_plugin_script(
    name: str,
    scenario: str | dict[str, Any],
    env: dict[str, str],
    workspace: Path,
    tmp_path: Path,
    **extra_env: str,
) -> subprocess.CompletedProcess[str]:
    script = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    with fake_anthropic_process(script, {"cwd": str(workspace)}) as base_url:
        env = {
            **env,
            **extra_env,
            "ANTHROPIC_BASE_URL": base_url,
            "ANTHROPIC_API_KEY": "sk-test",
            "LSP_AGENT_CMD": json.dumps([sys.executable, "-m", "lsp_agent", "serve"]),
            "PLUGIN_DIR": str(PLUGIN_DIR),
            "WORKSPACE": str(workspace),
        }
        return subprocess.run(
            headless(HERE / name),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    raise AssertionError("unreachable")


def test_review_accepts_one_hunk_and_rejects_the_other(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    result = run_plugin_script("plugin_review.lua", "review", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr
    # Applied to the buffer only: the file on disk is the user's to save.
    assert (workspace / "calc.py").read_text() == CALC


def test_cancel_ends_a_running_session(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    result = run_plugin_script("plugin_cancel.lua", "cancel", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_permission_prompt_goes_through_vim_ui_select(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    result = run_plugin_script("plugin_permission.lua", "permission", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (workspace / "ran-bash").exists()


def test_reject_all_with_a_reason(env: dict[str, str], workspace: Path, tmp_path: Path) -> None:
    result = run_plugin_script("plugin_reject_reason.lua", "review", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_fix_code_action_and_sessions(env: dict[str, str], workspace: Path, tmp_path: Path) -> None:
    result = run_plugin_script("plugin_actions.lua", "actions", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_checkhealth(env: dict[str, str], workspace: Path, tmp_path: Path) -> None:
    result = run_plugin_script("plugin_health.lua", "none", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_settings_and_client_review_declared_without_problems(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    result = run_plugin_script("plugin_settings.lua", "none", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_review_of_a_file_that_is_not_open(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    result = run_plugin_script("plugin_other_file.lua", "other_file", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (workspace / "helper.py").read_text() == HELPER


def test_a_workspace_folder_added_from_neovim(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "util.py").write_text("def slugify(text):\n    return text.lower()\n")
    read_lib = {
        "responses": [
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "Read",
                        "input": {"file_path": str(lib / "util.py")},
                    }
                ]
            },
            {"content": [{"type": "text", "text": "slugify lowercases its text."}]},
        ]
    }
    result = run_plugin_script(
        "plugin_workspace_folder.lua", read_lib, env, workspace, tmp_path, OTHER_FOLDER=str(lib)
    )
    assert result.returncode == 0, result.stderr


def test_questions_are_answered_in_the_pickers(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    result = run_plugin_script("plugin_questions.lua", "questions", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr
    # What the user saw, as Neovim's own picker printed it.
    assert "3: Other... - answer in your own words" in result.stderr


def test_a_dismissed_question_is_reported(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    script = "plugin_questions_dismissed.lua"
    result = run_plugin_script(script, "questions", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_change_set_after_an_accept_edits_run_and_rewind(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    changes = {
        "responses": [*SCENARIOS["review"]["responses"], *SCENARIOS["actions"]["responses"][:1]]
    }
    result = run_plugin_script("plugin_changes.lua", changes, env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


def test_review_without_taking_focus(env: dict[str, str], workspace: Path, tmp_path: Path) -> None:
    result = run_plugin_script("plugin_review_no_focus.lua", "other_file", env, workspace, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("answer", "ran"), [("Trust", True), ("Not now", False)])
def test_the_trust_prompt_goes_through_vim_ui_select(
    env: dict[str, str], workspace: Path, tmp_path: Path, answer: str, ran: bool
) -> None:
    """Issue 17: a folder with its own hooks is asked about once, in vim.ui.select, showing
    the hook; only "Trust" lets it run."""
    hook = {"type": "command", "command": "touch hook-ran"}
    settings = {"hooks": {"UserPromptSubmit": [{"hooks": [hook]}]}}
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(json.dumps(settings))
    result = run_plugin_script(
        "plugin_trust.lua", "actions", env, workspace, tmp_path, TRUST_ANSWER=answer
    )
    assert result.returncode == 0, result.stderr
    assert (workspace / "hook-ran").exists() == ran


def test_plugins_command_lists_plugins_failures_and_problems(
    env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    fixtures = HERE.parent / "compat" / "plugin_fixtures"
    dirs = [
        fixtures / "curated-marketplace" / "plugins" / "deploy-kit",
        fixtures / "broken" / "bad-manifest",
    ]
    secret = "s3cret-token-value"
    claude = Path(env["HOME"]) / ".claude"
    claude.mkdir(parents=True, exist_ok=True)
    options = {"api_token": secret}
    (claude / "settings.json").write_text(
        json.dumps({"pluginConfigs": {"deploy-kit@inline": {"options": options}}})
    )
    result = run_plugin_script(
        "plugin_plugins.lua",
        "none",
        env,
        workspace,
        tmp_path,
        PLUGIN_DIRS="\n".join(map(str, dirs)),
        SECRET=secret,
    )
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
