"""ASGI entry point for uvicorn: `uvicorn smarthis.asgi:app` (settings from the environment)."""

from smarthis.app import create_app
from smarthis.workers import add_background_workers

app = add_background_workers(create_app())
