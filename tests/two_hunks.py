"""A file whose two functions are far enough apart that changing both makes two hunks: the
fixture the editor review tests (Neovim, VS Code) accept one hunk of and reject the other."""

CALC = """def add(a, b):
    return a + b


# Filler between the two functions, so that two edits make two hunks.
VALUE_1 = 1
VALUE_2 = 2
VALUE_3 = 3
VALUE_4 = 4
VALUE_5 = 5
VALUE_6 = 6
VALUE_7 = 7
VALUE_8 = 8


def sub(a, b):
    return a - b
"""

# A function's first line with type hints: what the scripted model changes in each hunk.
TYPED = "def {0}(a: int, b: int) -> int:"

# The scripted model's tool call that types both functions (one hunk each).
TYPE_BOTH = {
    "type": "tool_use",
    "name": "MultiEdit",
    "input": {
        "file_path": "{cwd}/calc.py",
        "edits": [
            {"old_string": "def add(a, b):", "new_string": TYPED.format("add")},
            {"old_string": "def sub(a, b):", "new_string": TYPED.format("sub")},
        ],
    },
}
