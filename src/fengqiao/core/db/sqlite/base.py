"""SQLite with one writer per process at a time, queued on a lock.

SQLite lets one transaction write at a time. With ``BEGIN IMMEDIATE`` the others wait
in SQLite's busy handler, which polls with sleeps growing to 100 ms: under a burst of
writes from one gunicorn worker's threads, a thread can sleep long after the writer
before it finished (bench/README.md, finding 7: p95 of seconds). Here the threads of a
process queue on a ``threading.Lock`` before ``BEGIN IMMEDIATE`` and are woken the
moment it is released; only writers of different processes still meet in SQLite's
busy handler.
"""

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# One per process: every thread's connection to the database shares it.
WRITER = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode != "IMMEDIATE":
            return super()._start_transaction_under_autocommit()
        # As long as SQLite itself would wait (the ``timeout`` option), then the same error.
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        if not WRITER.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._holds_writer = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise
        return None

    def _release_writer(self) -> None:
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
