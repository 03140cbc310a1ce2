"""Assessment meeting pages: the list with each area's cadence, planning, the meeting
page (agenda, minutes, decisions) and the action items of their owners."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm

from . import actions, agenda, queries, workbench
from .forms import ActionItemForm, CompleteForm, MinutesForm, PlanForm
from .models import ActionItemStatus


def _somewhere(user) -> None:
    if not access.has_perm(user, Perm.MEETING_MANAGE):
        access.require(user, Perm.MEETING_MANAGE, None)


@login_required
def meeting_list(request):
    """Meetings in reach, which areas are due for one, and the planning form."""
    _somewhere(request.user)
    today = timezone.localdate()
    top = access.top_areas(request.user, Perm.MEETING_MANAGE).order_by("path").first()
    initial = {"area": top, "period_start": today.replace(day=1), "period_end": today}
    form = PlanForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.plan_meeting(actor=request.user, **form.cleaned_data)
        except actions.MeetingError as e:
            form.add_error(None, e.message)
        else:
            return redirect("meetings:detail", pk=meeting.pk)
    overdue = list(
        queries.items_for(request.user)
        .filter(status=ActionItemStatus.OPEN, deadline__lt=today)
        .select_related("owner", "meeting")
        .order_by("deadline")[:50]
    )
    context = {
        "overdue_items": overdue,
        "meetings": queries.meetings_for(request.user).select_related("area")[:100],
        "due": queries.cadence_status(request.user),
        "form": form,
    }
    return render(request, "meetings/list.html", context)


@login_required
def detail(request, pk: int):
    meeting = access.get_for_user_or_404(
        queries.meetings_for(request.user).select_related("area"),
        request.user,
        Perm.MEETING_MANAGE,
        field="area_path",
        pk=pk,
    )
    minutes_form = MinutesForm(
        request.POST if request.POST.get("form") == "minutes" else None,
        initial={"attendees": meeting.attendees, "minutes": meeting.minutes},
    )
    item_form = ActionItemForm(
        meeting.area, request.POST if request.POST.get("form") == "item" else None
    )
    if request.method == "POST":
        try:
            if minutes_form.is_bound and minutes_form.is_valid():
                actions.hold_meeting(
                    actor=request.user, meeting=meeting, **minutes_form.cleaned_data
                )
                messages.success(request, _("已记录会议纪要。"))
                return redirect("meetings:detail", pk=pk)
            if item_form.is_bound and item_form.is_valid():
                actions.add_action_item(
                    actor=request.user, meeting=meeting, **item_form.cleaned_data
                )
                messages.success(request, _("已添加决定事项。"))
                return redirect("meetings:detail", pk=pk)
        except actions.MeetingError as e:
            messages.error(request, e.message)
    today = timezone.localdate()
    items = list(meeting.action_items.select_related("owner"))
    for item in items:
        item.light = workbench.light(item, today)
    sections = [(key, label, meeting.agenda.get(key, [])) for key, label in agenda.SECTIONS]
    context = {
        "meeting": meeting,
        "sections": sections,
        "items": items,
        "minutes_form": minutes_form,
        "item_form": item_form,
    }
    return render(request, "meetings/detail.html", context)


@login_required
def item_list(request):
    """My action items, open first."""
    items = list(
        queries.items_for(request.user)
        .filter(owner=request.user)
        .select_related("meeting")
        .order_by("status", "deadline")[:200]
    )
    today = timezone.localdate()
    for item in items:
        item.light = workbench.light(item, today)
    return render(request, "meetings/items.html", {"items": items})


@login_required
def item_detail(request, pk: int):
    item = queries.items_for(request.user).select_related("meeting", "owner").filter(pk=pk).first()
    if item is None:
        access.require(request.user, Perm.MEETING_MANAGE, None, obj=None)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete_action_item(actor=request.user, item=item, **form.cleaned_data)
        except actions.MeetingError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已办结。"))
            return redirect("meetings:item", pk=pk)
    item.light = workbench.light(item, timezone.localdate())
    can_complete = item.owner_id == request.user.pk and item.status == ActionItemStatus.OPEN
    return render(
        request, "meetings/item.html", {"item": item, "form": form, "can_complete": can_complete}
    )
