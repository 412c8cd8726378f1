from django.urls import path

from . import confirmation, submissions, views

app_name = "orgs"

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/", views.OrganisationList.as_view(), name="org_list"),
    path("orgs/<slug:slug>/", views.OrganisationDetail.as_view(), name="org_detail"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<slug:slug>/", views.region_detail, name="region_detail"),
    path("sources/", views.SourceList.as_view(), name="source_list"),
    path("sources/<slug:slug>/", views.SourceDetail.as_view(), name="source_detail"),
    path(
        "orgs/<slug:slug>/suggest-correction/",
        submissions.suggest_correction,
        name="suggest_correction",
    ),
    path("orgs/<slug:slug>/ask-to-hide/", submissions.ask_to_hide, name="ask_to_hide"),
    path("suggest-organisation/", submissions.suggest_organisation, name="suggest_organisation"),
    path("thanks/", submissions.thanks, name="submission_thanks"),
    path("confirm/<str:token>/", confirmation.confirm, name="confirm"),
    path("data/", views.data_page, name="data"),
]
