from sqlalchemy import text

from smarthis.db import Database
from smarthis.security import audit
from smarthis.security.principal import system_principal

ACTOR = system_principal("48001", source="test")


def _write_entries(db: Database, count: int) -> None:
    for i in range(count):
        with db.session() as s:
            audit.record(s, ACTOR, "patient.read", patient_id=i + 1, detail={"n": i})


def test_intact_chain_verifies(db: Database) -> None:
    _write_entries(db, 5)
    with db.session() as s:
        assert audit.verify_chain(s) == []


def test_changed_entry_is_found(db: Database) -> None:
    _write_entries(db, 5)
    with db.session() as s:
        s.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3"))
    with db.session() as s:
        problems = audit.verify_chain(s)
    assert [p.entry_id for p in problems] == [3]
    assert "changed" in problems[0].problem


def test_removed_entry_is_found(db: Database) -> None:
    _write_entries(db, 5)
    with db.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = 2"))
    with db.session() as s:
        problems = audit.verify_chain(s)
    assert problems and problems[0].entry_id == 3
    assert "missing" in problems[0].problem


def test_cut_tail_is_found(db: Database) -> None:
    _write_entries(db, 4)
    with db.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = 4"))
    with db.session() as s:
        problems = audit.verify_chain(s)
    assert len(problems) == 1 and "head says 4" in problems[0].problem


def test_entry_is_written_only_with_its_change(db: Database) -> None:
    try:
        with db.session() as s:
            audit.record(s, ACTOR, "patient.update", patient_id=7)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    with db.session() as s:
        count = s.execute(text("SELECT count(*) FROM audit_log")).scalar()
        assert count == 0
        assert audit.verify_chain(s) == []


def test_several_entries_in_one_transaction_chain_and_move_the_one_head(db: Database) -> None:
    _write_entries(db, 2)
    with db.session() as s:
        for n in range(3):
            audit.record(s, ACTOR, "patient.read", patient_id=10 + n, detail={"n": n})
    with db.session() as s:
        heads = s.execute(text("SELECT id, last_id FROM audit_head")).all()
        last = s.execute(text("SELECT max(id) FROM audit_log")).scalar()
        assert [tuple(h) for h in heads] == [(1, 5)] and last == 5
        assert audit.verify_chain(s) == []
