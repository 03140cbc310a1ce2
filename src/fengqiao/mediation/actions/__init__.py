"""Every write of mediation, agreements, revisits and ratings. Views, the API and the
public page call these and nothing else.

Each action runs in one transaction with the case row locked (two mediators may act on
one case at once), checks the actor through ``mediation.access``, and writes exactly one
timeline event and one audit record through the cases machinery. Moves of the case's
state (reopen, refer out, shelve, revisit) go through ``cases.actions``.
"""

from .agreements import (
    apply_confirmation,
    draft_agreement,
    make_effective,
    record_confirmation_result,
    sign_agreement,
)
from .base import (
    CONFIRMATION_DAYS,
    DEFAULT_PERFORMANCE_DAYS,
    HANDLING,
    MEDIATION_DAYS,
    NOT_DUE,
    NOT_PERFORMED,
    PERFORMANCE,
    PERFORMED,
    ROUTES,
    ClauseInput,
)
from .mediators import assign_mediation, change_mediator, declare_relation, record_consent
from .outcomes import fail_mediation, report_risk
from .ratings import RATABLE, rate_case
from .revisits import RevisitFinding, ensure_revisits_done, record_revisit, waive_revisits
from .sessions import (
    mark_no_show,
    postpone_session,
    record_missing,
    record_session,
    schedule_session,
)

__all__ = [
    "CONFIRMATION_DAYS",
    "DEFAULT_PERFORMANCE_DAYS",
    "HANDLING",
    "MEDIATION_DAYS",
    "NOT_DUE",
    "NOT_PERFORMED",
    "PERFORMANCE",
    "PERFORMED",
    "RATABLE",
    "ROUTES",
    "ClauseInput",
    "RevisitFinding",
    "apply_confirmation",
    "assign_mediation",
    "change_mediator",
    "declare_relation",
    "draft_agreement",
    "ensure_revisits_done",
    "fail_mediation",
    "make_effective",
    "mark_no_show",
    "postpone_session",
    "rate_case",
    "record_confirmation_result",
    "record_consent",
    "record_missing",
    "record_revisit",
    "record_session",
    "report_risk",
    "schedule_session",
    "sign_agreement",
    "waive_revisits",
]
