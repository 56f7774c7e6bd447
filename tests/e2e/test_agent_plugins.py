"""Claude Code plugins through a real `lsp-agent serve`: `plugins.dirs` brings a plugin's
commands to the `/` picker, its PreToolUse hook blocks an edit proposal before the editor sees
it, `lspAgent.plugins` lists what loaded, and a broken plugin is shown once by name."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.agent_harness import HELLO, StartAgent
from tests.e2e.conftest import wait_for_message

PLUGINS = Path(__file__).parent.parent / "compat" / "plugin_fixtures" / "team-marketplace"
GUARD = (PLUGINS / "plugins" / "guard").resolve()
REVIEW_KIT = (PLUGINS / "plugins" / "review-kit").resolve()
BAD = (Path(__file__).parent.parent / "compat" / "plugin_fixtures" / "broken").resolve()


def edit(old: str, new: str) -> dict[str, object]:
    step = {"file_path": "{cwd}/hello.py", "old_string": old, "new_string": new}
    return {"content": [{"type": "tool_use", "name": "Edit", "input": step}]}


async def test_plugin_commands_hook_and_listing_in_the_server(
    start_agent: StartAgent, workspace: Path
) -> None:
    dirs = [str(REVIEW_KIT), str(GUARD), str(BAD / "bad-manifest")]
    h = await start_agent(
        [edit("hello", "bye"), {"content": [{"type": "text", "text": "Could not edit."}]}],
        init_options={"plugins": {"dirs": dirs}},  # default mode: edits are proposals
    )
    (workspace / "hello.py").write_text(HELLO)
    listing = await h.command("lspAgent.slashCommands", {})
    by_name = {row["name"]: row for row in listing}
    assert by_name["review-kit:check"]["source"] == "plugin:review-kit"
    assert by_name["review-kit:check"]["argumentHint"] == "[file]"
    assert by_name["review-kit:style-guide"]["source"] == "skill:plugin:review-kit"
    shown = await wait_for_message(h.client, "bad-manifest")
    assert "plugin.json: malformed JSON" in shown

    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "/review-kit:check hello.py"})
    done = await h.editor.done(started["sessionId"])
    assert done["subtype"] == "success"
    [result] = h.tool_results()
    assert result.get("is_error") and f"guard ({GUARD}) blocks edits" in str(result["content"])
    assert h.editor.applied_edits == []  # the editor never saw a proposal
    assert h.editor.text(uri) == HELLO

    plugins = await h.command("lspAgent.plugins", {})
    assert [row["name"] for row in plugins["loaded"]] == ["review-kit", "guard"]
    assert {row["origin"] for row in plugins["loaded"]} == {"plugins.dirs"}
    [failed] = plugins["failed"]
    assert failed["reason"].startswith("malformed JSON")
    bad = [m.message for m in h.client.messages if "bad-manifest" in m.message]
    assert len(bad) == 1  # shown once, not per session or per command


async def test_a_plugin_dir_inside_an_untrusted_workspace_waits_for_trust(
    start_agent: StartAgent, workspace: Path
) -> None:
    import shutil

    inside = workspace / ".plugins" / "guard"
    shutil.copytree(GUARD, inside)
    h = await start_agent(
        [], init_options={"plugins": {"dirs": [".plugins/guard"]}, "workspaceTrusted": False}
    )
    plugins = await h.command("lspAgent.plugins", {})
    assert plugins["loaded"] == []
    shown = await wait_for_message(h.client, "not loaded until the folder is trusted")
    assert str(inside) in shown
