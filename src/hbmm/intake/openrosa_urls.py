"""OpenRosa endpoints at the server root, where ODK Collect and Enketo look for them."""

from django.urls import path

from hbmm.intake import openrosa

urlpatterns = [
    path("formList", openrosa.form_list, name="openrosa-form-list"),
    path("submission", openrosa.submission, name="openrosa-submission"),
    path("forms/<slug:form_id>/form.xml", openrosa.form_xml, name="openrosa-form-xml"),
    path("forms/<slug:form_id>/manifest", openrosa.form_manifest, name="openrosa-manifest"),
    path(
        "forms/<slug:form_id>/media/<str:filename>",
        openrosa.form_media,
        name="openrosa-media",
    ),
]
