from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fengqiao.areas.access import roles_of, top_areas


@login_required
def home(request):
    """The user's workbench. Later domains add their to-do lists here."""
    return render(
        request,
        "core/home.html",
        {
            "roles": sorted(roles_of(request.user)),
            "top_areas": top_areas(request.user),
        },
    )
