"""SQLite with one writer per process at a time, queued on a lock.

SQLite lets one transaction write at a time. With ``BEGIN IMMEDIATE`` the others wait
in SQLite's busy handler, which polls with sleeps growing to 100 ms: under a burst of
writes from one gunicorn worker's threads, a thread can sleep long after the writer
before it finished (bench/README.md, finding 7: p95 of seconds). Here the threads of a
process queue on a ``threading.Lock`` before ``BEGIN IMMEDIATE`` and are woken the
moment it is released. Writers of different processes (the gunicorn workers) then meet
on an exclusive ``flock`` of a file beside the database (``<name>-writer``), polled every
0.2 ms (every 2 ms after 20 ms), instead of in SQLite's busy handler, whose sleeps grow
to 100 ms: with two workers writing all the time, a waiting worker slept through most of
the other's commits.
"""

import fcntl
import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# One per process: every thread's connection to the database shares it.
WRITER = threading.Lock()
# The lock files' descriptors, opened once per process and database file (a forked child
# opens its own: a descriptor inherited across fork shares the parent's lock). Used only
# while WRITER is held.
_LOCK_FILES: dict[tuple[int, str], int] = {}


def _lock_file(name) -> int | None:
    """The descriptor of the database's writer lock file; None for an in-memory database."""
    name = str(name)
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    key = (os.getpid(), name)
    if key not in _LOCK_FILES:
        _LOCK_FILES[key] = os.open(f"{name}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    return _LOCK_FILES[key]


# Polling the file lock: every 0.2 ms while a wait is as short as a writer's turn (a few
# ms), then backing off to every 2 ms. Doubling from the start (0.2, 0.4, 0.8, 1.6 ms)
# woke a waiter on average a millisecond after the lock was free, and with two workers
# writing all the time the lock stood idle a third of the time (bench/README, session 4).
_SHORT_WAIT = 0.02
_QUICK_POLL, _SLOW_POLL = 0.0002, 0.002


def _lock_processes(descriptor: int, deadline: float) -> bool:
    """Take the file lock, polling until ``deadline``; False when it did not come."""
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            now = time.monotonic()
            if now >= deadline:
                return False
            time.sleep(_QUICK_POLL if now - started < _SHORT_WAIT else _SLOW_POLL)


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False
    _holds_file: int | None = None

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode != "IMMEDIATE":
            return super()._start_transaction_under_autocommit()
        # As long as SQLite itself would wait (the ``timeout`` option), then the same error.
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        deadline = time.monotonic() + timeout
        if not WRITER.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._holds_writer = True
        try:
            descriptor = _lock_file(self.settings_dict["NAME"])
            if descriptor is not None:
                if not _lock_processes(descriptor, deadline):
                    raise OperationalError("database is locked")
                self._holds_file = descriptor
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise
        return None

    def _release_writer(self) -> None:
        if self._holds_file is not None:
            descriptor, self._holds_file = self._holds_file, None
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        if self._holds_writer:
            self._holds_writer = False
            WRITER.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
