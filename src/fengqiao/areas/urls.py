from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<int:pk>/", views.detail, name="detail"),
    path("import/", views.import_tree, name="import"),
    path("export/", views.export_tree, name="export"),
]
