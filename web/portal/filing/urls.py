"""Filing URLs, included by web/portal/urls.py under /portal/file/ (namespace portal:filing)."""

from django.urls import path

from . import actions, pic, protest, psc

app_name = "filing"

urlpatterns = [
    path("<str:ior>/protest/", protest.protest, name="protest"),
    path("<str:ior>/protest/dates/", protest.protest_dates, name="protest_dates"),
    path("<str:ior>/entries/", protest.entry_matches, name="entry_matches"),
    path("<str:ior>/entry-dates/", protest.entry_dates, name="entry_dates"),
    path("<str:ior>/psc/", psc.psc, name="psc"),
    path("<str:ior>/pic/", pic.pic, name="pic"),
    path("case/<str:reference>/amend/", actions.amend, name="amend"),
    path("case/<str:reference>/answer/", actions.answer, name="answer"),
    path("case/<str:reference>/withdraw/", actions.withdraw, name="withdraw"),
    path("case/<str:reference>/accelerate/", actions.accelerate, name="accelerate"),
    path("filed/<str:reference>/", actions.filed, name="filed"),
]
