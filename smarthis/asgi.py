"""ASGI entry point for uvicorn: `uvicorn smarthis.asgi:app` (settings from the environment)."""

import sys

from smarthis.app import create_app
from smarthis.workers import add_background_workers

# A request thread whose database answer has arrived waits for the GIL while another thread
# (the event loop streaming to the boards, another request) runs Python; CPython hands the
# GIL over every 5 ms by default. Short requests that hold row locks (ticket and visit
# counters, the audit chain) waited out that slice. With 1 ms, `bench.queue_bench
# --think-s 5` gave register p95 56-62 ms against 68 ms in alternating runs, for a little
# more switching.
GIL_SWITCH_INTERVAL_S = 0.001
sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)

app = add_background_workers(create_app())
