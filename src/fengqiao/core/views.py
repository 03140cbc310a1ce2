from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fengqiao.core import workbench


@login_required
def home(request):
    """The user's workbench: greeting, roles and areas, quick links, domain to-do panels."""
    return render(
        request,
        "core/home.html",
        {
            "greeting": workbench.greeting(),
            "panels": workbench.panels_for(request),
        },
    )
