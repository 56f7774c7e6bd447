"""Jupyter notebooks: Read shows an `.ipynb` as its cells with their outputs; NotebookEdit
replaces, inserts or deletes one cell. A notebook edit is a proposal like any other edit (the
editor reviews it), written back in Jupyter's own layout (one-space indent)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from lsp_agent.agent.ports import EditProposal
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg, load, path_arg, require_fresh, submit

MAX_OUTPUT_CHARS = 4000  # per cell: outputs are for orientation, the source is what matters
EDIT_MODES = ("replace", "insert", "delete")
CELL_TYPES = ("code", "markdown")


def parse(text: str, path: Any) -> dict[str, Any]:
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError(f"{path} is not a valid notebook: not JSON ({exc})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ToolError(f"{path} is not a valid notebook: it has no list of cells")
    return notebook


def render(notebook: dict[str, Any]) -> str:
    """The cells as Claude Code shows them: `<cell id="...">` blocks, outputs after each."""
    parts = []
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict):
            continue
        cell_id = cell.get("id") or f"cell-{index}"
        kind = cell.get("cell_type", "code")
        head = f'<cell id="{cell_id}">' + (
            f"<cell_type>{kind}</cell_type>" if kind != "code" else ""
        )
        parts.append(f"{head}{_text(cell.get('source'))}</cell {cell_id}>")
        outputs = "\n".join(_output(o) for o in cell.get("outputs") or [] if isinstance(o, dict))
        if outputs.strip():
            if len(outputs) > MAX_OUTPUT_CHARS:
                outputs = outputs[:MAX_OUTPUT_CHARS] + "\n[output truncated]"
            parts.append(f"<outputs of {cell_id}>\n{outputs}\n</outputs>")
    return "\n".join(parts) if parts else "(the notebook has no cells)"


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _output(output: dict[str, Any]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _text(output.get("text"))
    if kind == "error":
        return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    data = output.get("data") or {}
    if "text/plain" in data:
        return _text(data["text/plain"])
    shown = [mime for mime in data if mime.startswith("image/")]
    return f"[{', '.join(shown)} output]" if shown else ""


def _source_lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


class NotebookEdit(BaseTool):
    name = "NotebookEdit"
    description = (
        "Edits one cell of a Jupyter notebook (.ipynb): replace its source (edit_mode "
        "replace, the default), insert a new cell after cell_id (at the start without one; "
        "cell_type required), or delete it. cell_id is the cell's id as Read shows it. Read "
        "the notebook first."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "notebook_path": {"type": "string", "description": "Absolute path of the notebook"},
            "cell_id": {"type": "string", "description": "The cell to edit (or insert after)"},
            "new_source": {"type": "string", "description": "The new source of the cell"},
            "cell_type": {"type": "string", "enum": list(CELL_TYPES)},
            "edit_mode": {"type": "string", "enum": list(EDIT_MODES)},
        },
        "required": ["notebook_path", "new_source"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path = path_arg(tool_input, "notebook_path", ctx)
        if path.suffix.lower() != ".ipynb":
            raise ToolError(f"{path} is not a notebook (.ipynb); use Edit for other files")
        source = arg(tool_input, "new_source", str)
        mode = arg(tool_input, "edit_mode", str, "replace")
        kind = arg(tool_input, "cell_type", str, "")
        if mode not in EDIT_MODES:
            raise ToolError(f"edit_mode must be one of {', '.join(EDIT_MODES)}")
        if kind and kind not in CELL_TYPES:
            raise ToolError(f"cell_type must be one of {', '.join(CELL_TYPES)}")
        loaded = load(ctx, path)
        if loaded is None:
            raise ToolError(f"Notebook does not exist: {path}")
        require_fresh(ctx, loaded)
        notebook = parse(loaded.text, path)
        cells: list[Any] = notebook["cells"]
        cell_id = arg(tool_input, "cell_id", str, "")
        index = _find(cells, cell_id) if cell_id else None
        if mode == "insert":
            cell = _new_cell(kind or "code", source, notebook)
            position = 0 if index is None else index + 1
            cells.insert(position, cell)
            done = f"Inserted a {cell['cell_type']} cell ({cell.get('id', position)})"
        elif index is None:
            raise ToolError(f"cell_id is required to {mode} a cell")
        elif mode == "delete":
            cells.pop(index)
            done = f"Deleted cell {cell_id}"
        else:
            _replace(cells[index], source, kind)
            done = f"Updated cell {cell_id}"
        text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        proposal = EditProposal(
            path,
            loaded.text,
            text,
            self.name,
            f"NotebookEdit: {done} in {path.name}",
            ctx.tool_use_id,
        )
        note = await submit(ctx, proposal)
        return ToolResult(f"{done} in {path}.{note}")


def _find(cells: list[Any], cell_id: str) -> int:
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("id") == cell_id:
            return index
    # Cells without ids (nbformat < 4.5) are named by position, as Read shows them.
    number = cell_id.removeprefix("cell-")
    if number.isdigit() and int(number) < len(cells):
        return int(number)
    known = ", ".join(
        str(c.get("id") or f"cell-{i}") for i, c in enumerate(cells) if isinstance(c, dict)
    )
    raise ToolError(f"No cell {cell_id!r} in the notebook (cells: {known or 'none'})")


def _new_cell(kind: str, source: str, notebook: dict[str, Any]) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": _source_lines(source)}
    if (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) >= (4, 5):
        cell["id"] = uuid.uuid4().hex[:8]
    if kind == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def _replace(cell: dict[str, Any], source: str, kind: str) -> None:
    cell["source"] = _source_lines(source)
    if kind and kind != cell.get("cell_type"):
        cell["cell_type"] = kind
        if kind == "markdown":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    if cell.get("cell_type") == "code":  # the old outputs belong to the old source
        cell["outputs"], cell["execution_count"] = [], None
