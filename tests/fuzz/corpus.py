"""The fuzz corpus on disk: each file next to the outcome recorded for it in manifest.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"


def manifest(kind: str) -> dict[str, dict[str, Any]]:
    """File name -> expected outcome, for corpus/<kind>/."""
    return json.loads((CORPUS / kind / "manifest.json").read_text(encoding="utf-8"))["files"]


def corpus_files(kind: str, suffix: str) -> list[str]:
    return sorted(path.name for path in (CORPUS / kind).glob(f"*{suffix}"))


def read_bytes(kind: str, name: str) -> bytes:
    return (CORPUS / kind / name).read_bytes()
