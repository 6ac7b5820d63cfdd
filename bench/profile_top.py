"""Where the time goes in a py-spy recording (`--format raw`, as `queue_bench --profile`
writes): the frames most often on top of the stack (self) and anywhere in it (inclusive).

    .venv/bin/python -m bench.profile_top DIR/kiosk.txt [--top 25] [--match smarthis]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_SAMPLES = re.compile(r"^(.*) (\d+)$")


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        found = _SAMPLES.match(line)
        if found:
            stacks.append((found.group(1).split(";"), int(found.group(2))))
    return stacks


def _short(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py:123)", paths after site-packages
    return re.sub(
        r"\((?:[^()]*/)?(site-packages/)?([^()/]+/)?([^()/]+\.py):?(\d*)\)",
        lambda m: f"({(m.group(2) or '')}{m.group(3)}{':' + m.group(4) if m.group(4) else ''})",
        frame,
    )


def _strip_line(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


_WAITS = ("Condition.wait", "Event.wait", "Connection.wait", "Queue.get", "select")


def is_idle(frames: list[str]) -> bool:
    """A thread with nothing to do: an idle threadpool worker, the LISTEN thread, a
    periodic worker between passes (a request waiting on the database is not idle)."""
    stack = ";".join(frames)
    if "Process.pong" in stack:  # uvicorn's worker answering its supervisor's health ping
        return True
    if not frames[-1].startswith(_WAITS + ("Connection._recv",)):
        return False
    if "PostgresListener._run" in stack or "PeriodicWorker._run" in stack:
        return "Connection.notifies" in stack or "Event.wait" in stack
    return "smarthis/" not in stack and "sqlalchemy/" not in stack


def report(path: Path, top: int, match: str | None, skip_idle: bool = False) -> str:
    stacks = read_stacks(path)
    if skip_idle:
        stacks = [(f, n) for f, n in stacks if not is_idle(f)]
    total = sum(n for _, n in stacks) or 1
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in stacks:
        frames = [f for f in frames if not f.startswith(("process ", "thread "))] or frames
        self_time[_strip_line(frames[-1])] += n
        for frame in {_strip_line(f) for f in frames}:
            if match is None or match in frame:
                inclusive[frame] += n
    lines = [
        f"{path}: {total} samples{' (idle threads dropped)' if skip_idle else ''}",
        "",
        "self (top of stack):",
    ]
    lines += [f"{100 * n / total:6.1f}%  {_short(f)}" for f, n in self_time.most_common(top)]
    lines += ["", f"inclusive{f' (frames matching {match!r})' if match else ''}:"]
    lines += [f"{100 * n / total:6.1f}%  {_short(f)}" for f, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--skip-idle", action="store_true", help="drop idle threads' samples")
    parser.add_argument("--match", default=None, help="inclusive list: only frames containing this")
    args = parser.parse_args()
    print(report(args.path, args.top, args.match, args.skip_idle))


if __name__ == "__main__":
    main()
