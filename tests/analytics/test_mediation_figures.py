"""Mediation success, revisit, satisfaction and fulfilment follow the mediation app's
own writes (they pass the same timeline door), and equal the recount from its rows."""

import datetime as dt
import io

from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.analytics import exports, figures, review
from fengqiao.analytics.periods import period_of
from fengqiao.cases import actions as case_actions
from fengqiao.mediation import actions
from fengqiao.mediation.models import Revisit
from tests.mediation.conftest import case, desk, world  # noqa: F401
from tests.mediation.test_revisits import MONDAY, effective_agreement, frozen  # noqa: F401

from . import brute


def _revisit(desk, kind, performance, satisfaction):  # noqa: F811
    revisit = Revisit.objects.get(kind=kind)
    actions.record_revisit(
        actor=desk.world.mediator,
        revisit=revisit,
        finding=actions.RevisitFinding(
            method="phone",
            contacted="张三",
            performance={str(revisit.agreement.clauses.get().pk): performance},
            satisfaction=satisfaction,
        ),
    )


def test_mediated_case_counts_in_success_satisfaction_and_fulfilment(desk, case, frozen):  # noqa: F811
    w = desk.world
    month = period_of("month", timezone.localtime(case.created_at).date())
    # Given a mediation that ends in an effective agreement
    effective_agreement(desk, case)
    success = figures.summary(w.street, month).rate("mediation_success_rate")
    assert (success.numerator, success.denominator) == (1, 1)
    # When the case is completed, verified and revisited twice, then closed
    case_actions.complete_case(actor=w.mediator, case=case, feedback="已达成协议")
    case_actions.verify_case(actor=w.intake, case=case)
    case_actions.start_revisit(actor=w.intake, case=case)
    frozen.move_to(MONDAY + dt.timedelta(days=1))
    _revisit(desk, "next_day", "not_due", "basic")
    frozen.move_to(MONDAY + dt.timedelta(days=10))
    _revisit(desk, "clause", "performed", "satisfied")
    case_actions.close_case(actor=w.intake, case=case)
    # Then every rate counts it, and equals the recount from the rows
    summary = figures.summary(w.street, month)
    expected = brute.figures(w.street, month)
    for key in ("mediation_success_rate", "satisfaction_rate", "fulfilment_rate", "revisit_rate"):
        rate = summary.rate(key)
        assert (rate.numerator, rate.denominator) == expected[key] == (1, 1), key
    year = period_of("year", MONDAY.date())  # the revisits were due and done in March
    # And the mediator's review counts both revisits as done on time
    people = review.review(w.street, year)["people"]
    mediator = next(e for e in people if e.key == w.mediator.pk)
    assert (mediator.counts["revisits_due"], mediator.counts["revisits_on_time"]) == (2, 2)
    assert mediator.indicators["revisit_on_time"] == 100
    # And the visit register lists both revisits
    book = load_workbook(io.BytesIO(exports.ledger_workbook(w.street, year)))
    rows = list(book["回访登记"].iter_rows(min_row=2, values_only=True))
    # (each column under its own heading)
    assert [book["回访登记"][cell].value for cell in ("C1", "I1", "J1")] == [
        "回访类型",
        "满意度",
        "履行情况",
    ]
    assert [(r[2], r[8], r[9]) for r in rows] == [
        ("次日回访", "基本满意", "未到期"),
        ("履行期限回访", "满意", "已履行"),
    ]
