"""Two desks at once, on PostgreSQL (SQLite serializes writers anyway): case numbers
never repeat, and of two people acting on the same case only the first move counts."""

import threading

import pytest
from django.db import connection

from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Case, Grade, Risk, TimelineEvent

from .builders import register

pytestmark = [
    # serialized_rollback: the flush after each test must give back the seeded code lists.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(work, n: int) -> list:
    """Run ``work(i)`` in ``n`` threads released at the same moment."""
    from django.db import connections

    start, results = threading.Barrier(n), [None] * n

    def worker(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_registrations_get_distinct_consecutive_numbers(world):
    results = run_together(lambda i: register(world.intake, world.grid1).number, 6)
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"150602-{results[0][7:11]}-{n:06d}" for n in range(1, 7)]


def test_of_two_parallel_sign_fors_only_one_moves_the_case(world):
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)

    def sign(i: int):
        return actions.sign_for_case(actor=world.grid_worker, case=Case.objects.get(pk=case.pk))

    results = run_together(sign, 2)
    refused = [r for r in results if isinstance(r, CaseError)]
    assert len(refused) == 1
    assert refused[0].code == ErrorCode.TRANSITION_NOT_ALLOWED
    assert TimelineEvent.objects.filter(case=case, action="sign_for").count() == 1
