from django.urls import path

from maillage.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("ma-participation/", views.my_participation, name="my_participation"),
]
