from django.urls import path

from hbmm.health.ebs import views

urlpatterns = [
    path("", views.board, name="signals_board"),
    path("all/", views.signal_list, name="signal_list"),
    path("new/", views.signal_new, name="signal_new"),
    path("<int:pk>/", views.signal_detail, name="signal_detail"),
    path("<int:pk>/<slug:action>/", views.signal_action, name="signal_action"),
]
