"""Residents' ratings through the tracking code."""

from django.db import transaction
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.cases.states import State

from .. import queries
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    Rating,
)
from .base import (
    _event,
    _lock,
)

RATABLE = frozenset({State.COMPLETED, State.VERIFIED, State.REVISITING, State.CLOSED})


def rate_case(*, case: Case, stars: int, text: str = "") -> Rating:
    """A resident rates the handling through the tracking code (no account): the rating
    belongs to the case and to its handler (the mediator when there is no handler)."""
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise MediationError(Code.INVALID, "请选择 1–5 星。", field="stars")
    text = (text or "").strip()
    if len(text) > 500:
        raise MediationError(Code.INVALID, "评价不超过 500 字。", field="text")
    with transaction.atomic():
        locked = _lock(case)
        if locked.state not in RATABLE:
            raise MediationError(Code.NOT_NOW, "事项办结后才能评价。")
        handler = locked.current_handler or queries.mediator_of(locked)
        if Rating.objects.filter(case=locked, handler=handler).exists():
            raise MediationError(Code.ALREADY_RATED, "您已评价过本次办理。")
        rating = Rating.objects.create(
            case=locked, handler=handler, stars=stars, text=text, created_at=timezone.now()
        )
        _event(locked, None, "rating", f"群众评价 {stars} 星", {"rating": rating.pk})
    return rating
