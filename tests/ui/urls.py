"""The project's URLs plus a probe that asks access.py for one area, as domain views do."""

from django.http import HttpResponse
from django.urls import path

from fengqiao.areas.access import Perm, get_for_user_or_404
from fengqiao.areas.models import Area
from fengqiao.urls import urlpatterns as project_urlpatterns


def area_probe(request, pk):
    areas = Area.objects.all()
    area = get_for_user_or_404(areas, request.user, Perm.AREA_VIEW, field="path", pk=pk)
    return HttpResponse(area.name)


urlpatterns = [*project_urlpatterns, path("probe/areas/<int:pk>/", area_probe, name="probe")]
