from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/", views.figure_detail, name="figures"),
    path("figures.xlsx", views.figures_xlsx, name="figures-xlsx"),
    path("performance/", views.performance, name="performance"),
    path("performance.xlsx", views.performance_xlsx, name="performance-xlsx"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger"),
    path("report.docx", views.report_docx, name="report"),
]
