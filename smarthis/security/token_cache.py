"""Which device a kiosk's or display board's token belongs to, remembered for a minute.

Kiosks and boards send the same token with every request; looking it up costs a thread
hop, a database session and two queries, a large share of a short request. A device token
seen in the last `TTL_S` seconds is answered from memory. The price, stated in the README:
a device disabled or re-registered in the database stops being recognised within `TTL_S`
seconds, not at once. Staff tokens are never cached (disabling an account takes effect at
once), nor are unknown tokens.

A minute, not a few seconds: a kiosk's requests come a patient's pause apart (seconds to
minutes), so with 5 s nearly every one missed — in the queue bench the token look-ups were
9 % of the app's CPU. A kiosk or board is a device on the hospital's premises with
self-service rights only; a minute to stop serving one that was disabled is the price.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from smarthis.security.principal import Principal

TTL_S = 60.0
MAX_ENTRIES = 10_000  # bounded: a flood of distinct valid tokens cannot grow memory


class PrincipalCache:
    def __init__(self, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, source: str) -> Principal | None:
        """The principal for this token digest, as seen from `source`, if still fresh."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        expires, principal = entry
        if expires < time.monotonic():
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return principal if principal.source == source else replace(principal, source=source)

    def put(self, digest: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + self.ttl_s, principal)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
