"""The audit log page: newest first, filtered, paged by seq (keyset, no count)."""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from fengqiao.areas import access
from fengqiao.areas.access import Perm

from .forms import AuditFilterForm
from .queries import records_visible_to

PAGE_SIZE = 50


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(qs, data: dict):
    if data.get("actor"):
        qs = qs.filter(actor_name=data["actor"])
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"])
    if data.get("outcome"):
        qs = qs.filter(outcome=data["outcome"])
    if data.get("date_from"):
        qs = qs.filter(at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(at__lt=_local_midnight(data["date_to"] + timedelta(days=1)))
    return qs


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def record_list(request):
    if not access.has_perm(request.user, Perm.AUDIT_VIEW):
        access.require(request.user, Perm.AUDIT_VIEW, None)
    form = AuditFilterForm(request.GET or None)
    qs = records_visible_to(request.user).order_by("-seq")
    if form.is_bound and form.is_valid():
        qs = _filtered(qs, form.cleaned_data)
    before = _int(request.GET.get("before"))
    if before is not None:
        qs = qs.filter(seq__lt=before)
    records = list(qs[: PAGE_SIZE + 1])
    next_query = None
    if len(records) > PAGE_SIZE:
        records = records[:PAGE_SIZE]
        params = request.GET.copy()
        params["before"] = records[-1].seq
        next_query = params.urlencode()
    first_query = None
    if before is not None:
        params = request.GET.copy()
        params.pop("before", None)
        first_query = params.urlencode()
    return render(
        request,
        "audit/list.html",
        {
            "form": form if form.is_bound else AuditFilterForm(),
            "records": records,
            "next_query": next_query,
            "first_query": first_query,
        },
    )
