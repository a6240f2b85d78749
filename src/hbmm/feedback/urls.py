from django.urls import path

from hbmm.feedback import views
from hbmm.presentation.table_views import table_page

app_name = "feedback"
urlpatterns = [
    path("", views.index, name="index"),
    path("log/", table_page, {"key": "feedback.log"}, name="table"),
    path("new/", views.feedback_new, name="new"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.feedback_action, name="action"),
]
