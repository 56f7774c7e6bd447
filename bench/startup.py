"""Spawn -> `initialize` answer: `lsp-agent serve` against a bare pygls server.

Runs alternate between the two (so machine noise hits both alike) in one process; reports the
medians and their ratio. Target: ratio <= 1.25.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, save, table

HERE = Path(__file__).parent
COMMANDS = {
    "lsp-agent serve": [sys.executable, "-m", "lsp_agent", "serve"],
    "bare pygls": [sys.executable, str(HERE / "bare_server.py")],
}
INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": None, "capabilities": {}},
    }
).encode()


def time_initialize(command: list[str]) -> float:
    """Seconds from spawn until the first byte of the initialize response's body is read."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin and process.stdout
    process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(INITIALIZE) + INITIALIZE)
    process.stdin.flush()
    length = 0
    while line := process.stdout.readline():
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        elif line == b"\r\n":
            break
    body = json.loads(process.stdout.read(length))
    elapsed = time.perf_counter() - start
    assert body.get("id") == 1 and "result" in body, body
    process.kill()
    process.wait()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for command in COMMANDS.values():
        time_initialize(command)  # warm the file cache and .pyc files, not measured
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            samples[name].append(time_initialize(command))
    medians = {name: median(values) for name, values in samples.items()}
    ratio = medians["lsp-agent serve"] / medians["bare pygls"]
    rows = [
        (name, f"{medians[name] * 1000:.0f} ms", f"{min(v) * 1000:.0f} ms")
        for name, v in samples.items()
    ]
    print(table(rows, ("server", "median", "min")))
    print(f"ratio lsp-agent / bare pygls: {ratio:.2f} (target <= 1.25)")
    save(
        "startup",
        {
            "runs": args.runs,
            "median_s": medians,
            "ratio": ratio,
            "target_ratio": 1.25,
            "samples_s": samples,
        },
    )
    return 0 if ratio <= 1.25 else 1


if __name__ == "__main__":
    sys.exit(main())
