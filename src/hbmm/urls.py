from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("hbmm.accounts.urls")),
    path("places/", include("hbmm.places.urls")),
    path("intake/", include("hbmm.intake.urls")),
    path("mobility/", include("hbmm.mobility.urls")),
    path("health/", include("hbmm.health.urls")),
    path("feedback/", include("hbmm.feedback.urls")),
    path("supplies/", include("hbmm.supplies.urls")),
    path("response/", include("hbmm.response.urls")),
    path("protection/", include("hbmm.protection.urls")),
    path("reports/", include("hbmm.reports.urls")),
    path("jobs/", include("hbmm.jobs.urls")),
    path("api/v1/", include("hbmm.api.urls")),
    # OpenRosa endpoints (/formList, /submission...) and the home page live at the root.
    path("", include("hbmm.intake.openrosa_urls")),
    path("", include("hbmm.web.urls")),
]
