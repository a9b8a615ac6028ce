"""URLs of the Django app in test_frameworks.py."""

from django.http import HttpResponse
from django.urls import path

import proliferate


def pay(request):
    proliferate.set_tag("payment_method", "card")
    raise RuntimeError("django payment declined")


def ok(request):
    return HttpResponse(b"ok")


urlpatterns = [path("pay/", pay), path("ok/", ok)]
