from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fengqiao.cases import workbench as case_workbench
from fengqiao.core import workbench


@login_required
def home(request):
    """The user's workbench: greeting, roles and areas, quick links, domain to-do panels."""
    return render(
        request,
        "core/home.html",
        {
            "greeting": workbench.greeting(),
            "panels": [*case_workbench.panels_for(request), *workbench.panels_for(request)],
        },
    )
