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
