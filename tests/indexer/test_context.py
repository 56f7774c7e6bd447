"""Navigation and the agent's context API over a small real workspace."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from indexer import context, navigate
from indexer.workspace import WorkspaceIndex

FILES = {
    "shop/models.py": """
        class Price:
            def total(self, qty):
                return qty * self.unit


        def make_price(unit):
            return Price(unit)
        """,
    "shop/cart.py": """
        from shop.models import make_price


        class Cart:
            def add(self, item):
                price = make_price(item)
                return price.total(1)

            def total(self):
                return helper()


        def helper():
            return 0
        """,
    "other/models.py": """
        def make_price(x):
            return x
        """,
}


@pytest.fixture
def index(tmp_path: Path) -> WorkspaceIndex:
    root = tmp_path / "ws"
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    index = WorkspaceIndex(root, tmp_path / "cache")
    index.refresh()
    return index


def point_of(index: WorkspaceIndex, rel: str, needle: str) -> tuple[str, tuple[int, int], int]:
    path = str(Path(index.root) / rel)
    data = Path(path).read_bytes()
    offset = data.index(needle.encode())
    line = data.count(b"\n", 0, offset)
    return path, (line, offset - (data.rfind(b"\n", 0, offset) + 1)), offset


def test_word_at() -> None:
    source = "x = 1\nvalue = café_name + 2\n".encode()
    assert navigate.word_at(source, (1, 2))[0] == "value"
    assert navigate.word_at(source, (1, 9))[0] == "café_name"
    assert navigate.word_at(source, (1, 21)) is None  # the digit
    assert navigate.word_at(source, (5, 0)) is None


def test_definition_prefers_imported_module(index: WorkspaceIndex) -> None:
    path, _, offset = point_of(index, "shop/cart.py", "make_price(item)")
    found = navigate.find_definitions(index, path, "make_price", offset)
    assert [Path(s.path).relative_to(index.root).as_posix() for s in found] == [
        "shop/models.py",
        "other/models.py",
    ]


def test_definition_prefers_same_scope_then_same_file(index: WorkspaceIndex) -> None:
    path, _, offset = point_of(index, "shop/cart.py", "price.total(1)")
    found = navigate.find_definitions(index, path, "total", offset)
    assert [s.qualified_name for s in found] == ["Cart.total", "Price.total"]


def test_enclosing_symbols_with_source(index: WorkspaceIndex) -> None:
    path, point, _ = point_of(index, "shop/cart.py", "price = make_price")
    chain = context.enclosing_symbols(index, path, point)
    assert [c.symbol.qualified_name for c in chain] == ["Cart", "Cart.add"]
    assert chain[1].source.startswith("def add(self, item):")
    assert chain[1].source.rstrip().endswith("return price.total(1)")


def test_enclosing_symbols_of_an_unsaved_buffer(index: WorkspaceIndex) -> None:
    path, _, _ = point_of(index, "shop/cart.py", "class Cart")
    buffer = b"def fresh():\n    return 1\n"
    chain = context.enclosing_symbols(index, path, (1, 4), source=buffer)
    assert [c.symbol.name for c in chain] == ["fresh"]


def test_referenced_definitions(index: WorkspaceIndex) -> None:
    path, point, _ = point_of(index, "shop/cart.py", "price = make_price")
    found = context.referenced_definitions(index, path, point)
    assert [(s.qualified_name, s.signature) for s in found] == [
        ("make_price", "def make_price(unit):"),
        # Name-based: the `total` of the same file wins over the one `price` really has.
        ("Cart.total", "def total(self):"),
    ]


def test_repo_map_ranks_the_used_file_first_and_fits_the_budget(index: WorkspaceIndex) -> None:
    text = context.repo_map(index, token_budget=1000)
    assert text.splitlines()[0] == "shop/models.py:"
    assert "  def make_price(unit):" in text
    small = context.repo_map(index, token_budget=12)
    assert len(small) <= 12 * 4 or small.count(":\n") == 1


def test_repo_map_focus(index: WorkspaceIndex) -> None:
    text = context.repo_map(
        index, token_budget=1000, focus=[str(Path(index.root) / "other/models.py")]
    )
    assert text.splitlines()[0] == "other/models.py:"


def test_context_text(index: WorkspaceIndex) -> None:
    path, point, _ = point_of(index, "shop/cart.py", "price = make_price")
    text = context.context_text(index, path, point)
    lines = text.splitlines()
    assert lines[0] == "Enclosing symbols: class Cart > method Cart.add"
    assert "Source of Cart.add:" in lines
    assert "- shop/models.py:6: def make_price(unit):" in lines
    assert context.context_text(index, path, (0, 0)) == ""  # the import line: no symbol around
