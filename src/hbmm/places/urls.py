from django.urls import path

from hbmm.places import views

app_name = "places"
urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("sites/import/", views.site_import, name="site_import"),
    path("sites/<str:code>/", views.site_detail, name="site_detail"),
    path("areas/", views.area_list, name="area_list"),
]
