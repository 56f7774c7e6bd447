"""The languages the index understands, and how to load each grammar wheel.

Grammars come from the individual `tree-sitter-<lang>` wheels, pinned exactly in pyproject.toml.
Not `tree-sitter-languages` (it needs tree-sitter < 0.22 and has no wheels past Python 3.12) and
not `tree-sitter-language-pack` 1.x (it downloads grammars at run time, which fails offline).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language


@dataclass(frozen=True)
class LanguageSpec:
    name: str  # also the stem of the query file: queries/<name>-tags.scm
    module: str  # the grammar wheel's import name
    function: str  # the function in that module returning the language pointer
    extensions: tuple[str, ...]


LANGUAGES: tuple[LanguageSpec, ...] = (
    LanguageSpec("python", "tree_sitter_python", "language", (".py", ".pyi")),
    LanguageSpec(
        "javascript", "tree_sitter_javascript", "language", (".js", ".mjs", ".cjs", ".jsx")
    ),
    LanguageSpec(
        "typescript", "tree_sitter_typescript", "language_typescript", (".ts", ".mts", ".cts")
    ),
    LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx", (".tsx",)),
    LanguageSpec("go", "tree_sitter_go", "language", (".go",)),
    LanguageSpec("rust", "tree_sitter_rust", "language", (".rs",)),
    LanguageSpec("java", "tree_sitter_java", "language", (".java",)),
    LanguageSpec("c", "tree_sitter_c", "language", (".c", ".h")),
    LanguageSpec(
        "cpp", "tree_sitter_cpp", "language", (".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx")
    ),
    LanguageSpec("bash", "tree_sitter_bash", "language", (".sh", ".bash")),
)

BY_NAME = {spec.name: spec for spec in LANGUAGES}
BY_EXTENSION = {ext: spec for spec in LANGUAGES for ext in spec.extensions}


def spec_for_path(path: str) -> LanguageSpec | None:
    dot = path.rfind(".")
    return BY_EXTENSION.get(path[dot:].lower()) if dot >= 0 else None


@cache
def load(name: str) -> Language:
    """The tree-sitter Language for `name`; raises ImportError if its wheel is missing."""
    from tree_sitter import Language

    spec = BY_NAME[name]
    module = importlib.import_module(spec.module)
    return Language(getattr(module, spec.function)())


def check_all() -> dict[str, str | None]:
    """name -> None when the grammar loads, else the error text (for `lsp-agent doctor`)."""
    result: dict[str, str | None] = {}
    for spec in LANGUAGES:
        try:
            load(spec.name)
            result[spec.name] = None
        except Exception as exc:  # any failure is a doctor finding, not a crash
            result[spec.name] = f"{type(exc).__name__}: {exc}"
    return result
