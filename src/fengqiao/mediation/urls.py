from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("cases/<int:pk>/", views.case_mediation, name="case"),
    path("cases/<int:pk>/assign/", views.assign, name="assign"),
    path("cases/<int:pk>/change/", views.change, name="change"),
    path("cases/<int:pk>/consent/", views.consent, name="consent"),
    path("cases/<int:pk>/sessions/", views.schedule, name="schedule"),
    path("cases/<int:pk>/agreement/", views.agreement_edit, name="agreement-edit"),
    path("cases/<int:pk>/fail/", views.fail, name="fail"),
    path("cases/<int:pk>/risk/", views.risk, name="risk"),
    path("cases/<int:pk>/revisits/waive/", views.waive, name="waive"),
    path("cases/<int:pk>/file/", views.case_file, name="case-file"),
    path("cases/<int:pk>/file.zip", views.case_file_zip, name="case-file-zip"),
    path("sessions/<int:pk>/postpone/", views.postpone, name="postpone"),
    path("sessions/<int:pk>/no-show/", views.no_show, name="no-show"),
    path("sessions/<int:pk>/record/", views.session_record, name="record"),
    path("sessions/<int:pk>/print/", views.record_print, name="record-print"),
    path("sessions/<int:pk>/record.docx", views.record_docx, name="record-docx"),
    path("agreements/<int:pk>/sign/", views.sign, name="sign"),
    path("agreements/<int:pk>/effective/", views.effective, name="effective"),
    path("agreements/<int:pk>/confirmation/", views.confirmation_apply, name="confirmation"),
    path(
        "agreements/<int:pk>/confirmation/result/",
        views.confirmation_result,
        name="confirmation-result",
    ),
    path("agreements/<int:pk>/print/", views.agreement_print, name="agreement-print"),
    path("agreements/<int:pk>/agreement.docx", views.agreement_docx, name="agreement-docx"),
    path("revisits/", views.revisits, name="revisits"),
    path("revisits/<int:pk>/", views.revisit, name="revisit"),
]

# The residents' page, mounted at /track/ without login.
public_urlpatterns = [path("", views.track, name="track")]
