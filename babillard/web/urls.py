from django.urls import path

from babillard.web import views

app_name = "web"
urlpatterns = [
    path("", views.landing, name="landing"),
]
