"""SQLite's writers of one process queue on a lock of their own (``fengqiao.core.db.
sqlite``) instead of sleeping in SQLite's busy handler; the lock is let go however the
transaction ends."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

pytestmark = [
    # Flushed after each test; the root conftest seeds the code lists again.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's lock"),
]


def writer_lock():
    from fengqiao.core.db.sqlite.base import WRITER

    return WRITER


def test_a_second_writer_of_the_process_waits_for_the_first_to_commit():
    entered, release, order = threading.Event(), threading.Event(), []

    def first():
        with transaction.atomic():
            order.append("first in")
            entered.set()
            release.wait(5)
            order.append("first out")
        connections.close_all()

    def second():
        entered.wait(5)
        with transaction.atomic():
            order.append("second in")
        connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    entered.wait(5)
    time.sleep(0.2)
    # given the first inside its transaction, the second waits on the process's lock
    assert writer_lock().locked()
    assert order == ["first in"]
    release.set()
    for t in threads:
        t.join(5)
    assert order == ["first in", "first out", "second in"]
    assert not writer_lock().locked()


def fail_inside_a_transaction() -> None:
    with transaction.atomic():
        assert writer_lock().locked()
        raise ZeroDivisionError


def test_the_lock_is_let_go_when_the_transaction_rolls_back():
    with pytest.raises(ZeroDivisionError):
        fail_inside_a_transaction()
    assert not writer_lock().locked()
    with transaction.atomic():
        assert writer_lock().locked()
    assert not writer_lock().locked()


def hold_the_file_lock():
    """Another process's writer, as the lock sees it: the same file opened anew (an
    ``flock`` belongs to an open file, so this conflicts even within one process)."""
    import fcntl
    import os

    descriptor = os.open(f"{connection.settings_dict['NAME']}-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def test_a_writer_waits_while_another_process_writes_and_starts_as_soon_as_it_commits():
    import fcntl
    import os

    other = hold_the_file_lock()
    entered = threading.Event()

    def writer():
        with transaction.atomic():
            entered.set()
        connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    # given the other process inside its transaction, this one waits (its thread lock held)
    assert not entered.is_set()
    assert writer_lock().locked()
    fcntl.flock(other, fcntl.LOCK_UN)
    released = time.monotonic()
    assert entered.wait(5)
    # polled every 2 ms at most, not SQLite's busy handler's 100 ms sleeps
    assert time.monotonic() - released < 0.1
    thread.join(5)
    os.close(other)
    assert not writer_lock().locked()


def test_a_writer_gives_up_with_database_is_locked_after_the_timeout(monkeypatch):
    import os

    from django.db import OperationalError

    other = hold_the_file_lock()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
        # nothing held: the thread lock is let go with the refusal
        assert not writer_lock().locked()
    finally:
        os.close(other)
    with transaction.atomic():
        assert writer_lock().locked()
