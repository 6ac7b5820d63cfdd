"""How many kiosk transactions one app process runs at once.

A kiosk registration holds the hospital-wide counters' rows locked until it commits. In a
burst (the doors open and every kiosk sends at once) each runnable request thread shares
the GIL with the lock's holder, whose every round trip to the database then waits longer,
so each hold stretches and the queue behind the lock grows. A thread waiting here sleeps
(no CPU, no GIL), and the portal is asked outside the gate, so a portal that stops
answering holds no place. `bench/README.md` has the figures behind the number.
"""

import threading

TRANSACTIONS_AT_ONCE = 8

transactions = threading.BoundedSemaphore(TRANSACTIONS_AT_ONCE)
