"""Which area a figures page shows: one the user holds figures.view on, or the common
404. Shared by the pages, the exports and the API."""

from django.http import Http404

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area, Level


def area_for(user, value) -> Area:
    """The area named by ``value`` (a pk), else the user's outermost area; 404 when the
    user may not see figures there (or anywhere)."""
    area = None
    if value not in (None, ""):
        if not str(value).isdigit():
            raise Http404
        area = Area.objects.filter(pk=value).first()
    else:
        area = access.top_areas(user, Perm.FIGURES_VIEW).order_by("path").first()
    access.require(user, Perm.FIGURES_VIEW, area)
    return area


def picker_areas(
    user, area: Area, ancestors: list[Area] | None = None, children: list[Area] | None = None
) -> list[Area]:
    """The area picker: the way down from the user's outermost areas, then the children.
    ``ancestors`` (the area's own and its ancestors, by path) and ``children`` (by path):
    when the caller has read them already."""
    if ancestors is None:
        ancestors = list(area.ancestors())
    if children is None:
        children = list(area.children.order_by("path")[:200])
    roots = access.area_paths_for(user, Perm.FIGURES_VIEW)
    chain = [a for a in ancestors if any(a.path.startswith(r) for r in roots)]
    # The user's outermost areas: among the ancestors when every grant's root is one of
    # them (a leader looking at their own area or below), else one more read.
    held = [a for a in ancestors if a.path in roots]
    if "" not in roots and len(held) == len(roots):
        tops = held[:20]
    else:
        tops = list(access.top_areas(user, Perm.FIGURES_VIEW).order_by("path")[:20])
    seen, out = set(), []
    # The level's label looked up once, not by get_level_display() per option (which
    # hashes every translated choice on each call).
    levels = {value: str(label) for value, label in Level.choices}
    for a in [*tops, *chain, *children[:200]]:
        if a.pk not in seen:
            seen.add(a.pk)
            a.level_label = levels.get(a.level, a.level)
            out.append(a)
    return out
