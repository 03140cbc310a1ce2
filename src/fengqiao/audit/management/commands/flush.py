"""``flush`` empties every table, the audit log included (development and test runs).
The append-only triggers would refuse that, so they are lifted for the duration and
put back afterwards."""

from django.core.management.commands import flush
from django.db import connections

from fengqiao.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        triggers.remove(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
