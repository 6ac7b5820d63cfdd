"""The board stream delivers events in commit order, even when ids are not in that order."""

from __future__ import annotations

import asyncio

from smarthis.events import bus
from smarthis.queueing import display
from smarthis.queueing.display import event_stream


async def _no_replay(_after: int) -> list[dict]:
    return []


async def _first_events(count: int, publish: list[dict]) -> list[str]:
    async def never_disconnected() -> bool:
        return False

    stream = event_stream(never_disconnected, lambda e: True, _no_replay, None)
    assert (await stream.__anext__()).startswith("retry:")
    for event in publish:
        bus.publish(event)
    # Events queued together may leave in one chunk: split the stream into its messages.
    messages: list[str] = []
    while len(messages) < count:
        chunk = await asyncio.wait_for(stream.__anext__(), timeout=5)
        messages += [m + "\n\n" for m in chunk.split("\n\n") if m]
    await stream.aclose()
    return messages


def test_events_queued_together_leave_in_one_write() -> None:
    async def run() -> str:
        async def never_disconnected() -> bool:
            return False

        stream = event_stream(never_disconnected, lambda e: True, _no_replay, None)
        await stream.__anext__()  # retry:
        for number in (1, 2):
            bus.publish(
                {"event_id": 10 + number, "kind": "issued", "display_number": f"B-{number}"}
            )
        chunk = await asyncio.wait_for(stream.__anext__(), timeout=5)
        await stream.aclose()
        return chunk

    chunk = asyncio.run(run())
    assert chunk.startswith("id: 11\n") and "\n\nid: 12\n" in chunk


def test_a_call_committed_after_a_later_id_still_reaches_the_board() -> None:
    # On PostgreSQL ids are taken at insert: the call (id 4) may commit after id 5.
    events = [
        {"event_id": 5, "kind": "issued", "display_number": "B-0002"},
        {"event_id": 4, "kind": "called", "display_number": "B-0001"},
    ]
    received = asyncio.run(_first_events(2, events))
    assert received[0].startswith("id: 5\n") and received[1].startswith("id: 4\n")
    assert '"B-0001"' in received[1]


def test_a_quiet_stream_keeps_alive_and_ends_when_the_board_is_gone(monkeypatch) -> None:
    monkeypatch.setattr(display, "KEEPALIVE_S", 0.01)
    gone = False

    async def disconnected() -> bool:
        return gone

    async def run() -> tuple[list[str], bool]:
        nonlocal gone
        streams = [event_stream(disconnected, lambda e: True, _no_replay, None) for _ in "ab"]
        for stream in streams:
            await stream.__anext__()  # retry:
        # One timer for the loop marks every quiet stream.
        sent = [await asyncio.wait_for(s.__anext__(), timeout=5) for s in streams]
        gone = True
        ended = False
        try:
            await asyncio.wait_for(streams[0].__anext__(), timeout=5)
        except StopAsyncIteration:
            ended = True
        await streams[1].aclose()
        return sent, ended

    sent, ended = asyncio.run(run())
    assert sent == [": keepalive\n\n"] * 2
    assert ended and bus.subscriber_count == 0


def test_a_stream_that_sent_an_event_since_the_last_tick_sends_no_keepalive(
    monkeypatch,
) -> None:
    monkeypatch.setattr(display, "KEEPALIVE_S", 3600)  # the ticks here are given by hand

    async def run() -> list[str]:
        async def never_disconnected() -> bool:
            return False

        loop = asyncio.get_running_loop()
        stream = event_stream(never_disconnected, lambda e: True, _no_replay, None)
        await stream.__anext__()  # retry:
        chunks = []
        bus.publish({"event_id": 31, "kind": "issued", "display_number": "B-0031"})
        chunks.append(await asyncio.wait_for(stream.__anext__(), timeout=5))
        bus.tick(loop, display.KEEPALIVE)  # an event went since the last tick: nothing
        bus.publish({"event_id": 32, "kind": "issued", "display_number": "B-0032"})
        chunks.append(await asyncio.wait_for(stream.__anext__(), timeout=5))
        bus.tick(loop, display.KEEPALIVE)
        bus.tick(loop, display.KEEPALIVE)  # a whole quiet interval: a keepalive
        chunks.append(await asyncio.wait_for(stream.__anext__(), timeout=5))
        await stream.aclose()
        return chunks

    first, second, third = asyncio.run(run())
    assert first.startswith("id: 31\n") and second.startswith("id: 32\n")
    assert third == ": keepalive\n\n"
