from django.contrib import admin
from django.urls import include, path

from fengqiao.api.main import api
from fengqiao.api.open311 import open311
from fengqiao.core import views as core_views
from fengqiao.mediation.urls import public_urlpatterns as track_urls

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("fengqiao.accounts.urls")),
    path("areas/", include("fengqiao.areas.urls")),
    path("people/", include("fengqiao.people.urls")),
    path("audit/", include("fengqiao.audit.urls")),
    path("cases/", include("fengqiao.cases.urls")),
    path("analytics/", include("fengqiao.analytics.urls")),
    path("meetings/", include("fengqiao.meetings.urls")),
    path("mediation/", include("fengqiao.mediation.urls")),
    path("track/", include((track_urls, "track"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", open311.urls),
]
