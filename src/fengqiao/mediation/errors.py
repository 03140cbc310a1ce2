"""Refusals of mediation actions. They are ``CaseError``s, so the pages and the API
answer them exactly as they answer refused case actions (code + Chinese message)."""

from enum import StrEnum

from fengqiao.cases.errors import CaseError


class MediationCode(StrEnum):
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    NOT_NOW = "transition_not_allowed"  # the case or the record is in the wrong state
    NOT_A_MEDIATOR = "not_a_mediator"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    CONSENT_REQUIRED = "consent_required"
    RECORD_INCOMPLETE = "record_incomplete"
    AGREEMENT_INCOMPLETE = "agreement_incomplete"
    CONFIRMATION_WINDOW = "confirmation_window_closed"
    REVISITS_OPEN = "revisits_open"
    ALREADY_RATED = "already_rated"


class MediationError(CaseError):
    """A refused mediation action; ``missing`` lists what a completeness check lacks."""

    def __init__(self, code: MediationCode, message: str, *, field: str = "", missing=()):
        super().__init__(code, message, field=field)  # type: ignore[arg-type]
        self.missing = list(missing)
