"""The group-commit writer: concurrent rows share commits, a bad row fails alone, forks are safe."""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consentkit.consentlog.writer import CHECKPOINT_EVERY, ConsentWriter, _Pending
from consentkit.db import get_db
from consentkit.models import ConsentRecord, utcnow
from consentkit.sites.registry import create_site


def _row(site_id: int, consent_id: str | None = None, seq: int = 1) -> tuple:
    return (site_id, consent_id or uuid.uuid4().hex, seq, utcnow(), True, False, None, "custom", 1,
            "0" * 64, "nb", "https://www.example.no/", "0.1.0", "test", False, None, None)


@pytest.fixture
def site_id(app) -> int:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="w", origins=["https://www.example.no"]).id


def _count(app, site_id: int) -> int:
    with get_db(app).engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ConsentRecord)
                           .where(ConsentRecord.site_id == site_id))


def test_concurrent_rows_are_all_committed_in_fewer_statements(app, site_id):
    writer: ConsentWriter = get_db(app).consent_writer
    errors: list[BaseException] = []

    def record(count: int) -> None:
        try:
            for _ in range(count):
                writer.append(_row(site_id))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(40,)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(app, site_id) == 480
    assert writer.statements < 480, "no two threads ever shared a commit"


def test_a_refused_row_fails_alone_and_its_batch_is_still_written(app, site_id):
    writer: ConsentWriter = get_db(app).consent_writer
    good = [_Pending(_row(site_id, f"good-{n}-{uuid.uuid4().hex}")) for n in range(3)]
    bad = _Pending(_row(site_id + 1000, "no-such-site-" + uuid.uuid4().hex))  # a foreign-key refusal
    writer._commit([good[0], bad, *good[1:]])
    assert all(item.done for item in [*good, bad])
    assert [item.error for item in good] == [None, None, None]
    assert isinstance(bad.error, IntegrityError)
    assert _count(app, site_id) == 3


def test_a_refused_single_row_raises_and_the_writer_goes_on(app, site_id):
    writer: ConsentWriter = get_db(app).consent_writer
    with pytest.raises(IntegrityError):
        writer.append(_row(site_id + 1000))
    writer.append(_row(site_id))
    assert _count(app, site_id) == 1


def _append_in_child(writer: ConsentWriter, site_id: int, done: multiprocessing.Queue) -> None:
    try:
        inherited = writer._connection
        writer.append(_row(site_id))
        done.put("ok" if writer._connection is not inherited else "wrote on the parent's connection")
    except BaseException as exc:  # noqa: BLE001 - sent to the parent to fail the test with
        done.put(repr(exc))


def test_a_forked_worker_opens_its_own_connection(app, site_id):
    """gunicorn forks workers from a process that may have written: they must not share its socket."""
    writer: ConsentWriter = get_db(app).consent_writer
    writer.append(_row(site_id))  # the parent now holds a connection
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    child = context.Process(target=_append_in_child, args=(writer, site_id, done))
    child.start()
    child.join(30)
    assert done.get(timeout=5) == "ok"
    writer.append(_row(site_id))  # the parent's connection still works after the child exited
    assert _count(app, site_id) == 3


def test_sqlite_wal_is_checkpointed_by_a_background_thread(app, site_id):
    """The writer turns SQLite's automatic checkpoint off, so its own must really run (or the WAL
    would grow without bound); servers like PostgreSQL checkpoint by themselves."""
    writer: ConsentWriter = get_db(app).consent_writer
    if get_db(app).engine.dialect.name != "sqlite":
        assert writer.checkpointer is None
        return
    for _ in range(CHECKPOINT_EVERY):
        writer.append(_row(site_id))
    deadline = time.monotonic() + 10
    while writer.checkpointer.done < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.checkpointer.done == 1
    assert any(t.name == "consentkit-wal-checkpoint" for t in threading.enumerate())
    with get_db(app).engine.connect() as conn:  # the WAL's frames are all back in the database
        busy, frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and frames == copied


def test_values_written_past_core_read_back_as_core_would_store_them(app, site_id):
    """The writer bypasses Core's execute but applies each column type's bind processor: a
    datetime, booleans, a NULL and text read back through the ORM exactly as they went in."""
    writer: ConsentWriter = get_db(app).consent_writer
    row = _row(site_id, "typed")
    writer.append(row)
    with get_db(app).sessions() as session:
        stored = session.scalars(select(ConsentRecord).where(ConsentRecord.consent_id == "typed")).one()
    assert (stored.created_at, stored.functional, stored.analytics, stored.marketing, stored.gpc) == \
        (row[3], True, False, None, False)
    assert (stored.method, stored.language, stored.page_url) == ("custom", "nb", "https://www.example.no/")
