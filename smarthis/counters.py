"""Gap-free per-scope sequence numbers settled by the database."""

from __future__ import annotations

from sqlalchemy import String, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from smarthis.db import Base, BigId


class Counter(Base):
    """Gap-free numbering (MRN, visit numbers, later tickets): incremented by an UPDATE
    inside the caller's transaction, so a rolled-back registration gives its number back."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigId, default=0)


_COUNTERS = Counter.__table__
# Built once (smarthis/db.py says why): every visit and ticket takes a number. A Core
# statement on the table, not on the mapped class: an ORM UPDATE runs the bulk-update
# machinery (session synchronisation) for a row no session holds.
_INCREMENT = (
    update(_COUNTERS)
    .where(_COUNTERS.c.name == bindparam("counter"))
    .values(value=_COUNTERS.c.value + 1)
    .returning(_COUNTERS.c.value)
)


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter `name`; the row stays locked until commit."""
    # The row exists for all but the first number of a scope: update first, so the common
    # case waits on the row lock once (an INSERT ... ON CONFLICT would wait for it too).
    value = session.execute(_INCREMENT, {"counter": name}).scalar()
    if value is not None:
        return int(value)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # A concurrent first number wins harmlessly thanks to ON CONFLICT DO NOTHING.
    session.execute(insert(_COUNTERS).values(name=name, value=0).on_conflict_do_nothing())
    return int(session.execute(_INCREMENT, {"counter": name}).scalar_one())


def current_value(session: Session, name: str) -> int:
    value = session.execute(select(Counter.value).where(Counter.name == name)).scalar()
    return int(value or 0)
