from django.urls import path

from hbmm.health.ebs import focal_point_views, views

urlpatterns = [
    path("", views.board, name="signals_board"),
    path("all/", views.signal_list, name="signal_list"),
    path("new/", views.signal_new, name="signal_new"),
    path("7-1-7/", views.performance_page, name="signals_717"),
    path("focal-points/", focal_point_views.focal_point_list, name="focal_point_list"),
    path("focal-points/new/", focal_point_views.focal_point_new, name="focal_point_new"),
    path("focal-points/<int:pk>/", focal_point_views.focal_point_edit, name="focal_point_edit"),
    path(
        "focal-points/<int:pk>/active/",
        focal_point_views.focal_point_active,
        name="focal_point_active",
    ),
    path("<int:pk>/", views.signal_detail, name="signal_detail"),
    path("<int:pk>/<slug:action>/", views.signal_action, name="signal_action"),
]
