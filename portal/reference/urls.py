from django.urls import path

from . import views

app_name = "reference"
urlpatterns = [path("<slug:kind>/search/", views.search, name="search")]
