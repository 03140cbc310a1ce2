from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("create/", views.create, name="create"),
    path("report/", views.report, name="report"),
    path("create/place/", views.place, name="place"),
    path("create/subcategories/", views.subcategories, name="subcategories"),
    path("create/similar/", views.similar, name="similar"),
    path("create/people/", views.person_search, name="person-search"),
    path("todo/", views.todo, name="workbench"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read-all"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox-read"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/facts/", views.facts, name="facts"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]
