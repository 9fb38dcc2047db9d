"""A service's refusal shows on the form: on the fields it names, else above the form."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from maillage.core.forms import add_service_errors


class TitleForm(forms.Form):
    title = forms.CharField()


def test_an_error_on_a_field_of_the_form_shows_on_that_field() -> None:
    form = TitleForm({"title": "Bancs"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"title": "already used", "slug": "taken"}))
    assert form.errors["title"] == ["already used"]
    assert form.non_field_errors() == ["taken"]  # the form has no slug field


def test_an_error_naming_no_field_shows_above_the_form() -> None:
    form = TitleForm({"title": "Bancs"})
    assert form.is_valid()
    add_service_errors(form, ValidationError(["closed campaign", "too late"]))
    assert form.non_field_errors() == ["closed campaign", "too late"]
    assert "title" not in form.errors


def test_a_visitors_write_counts_in_their_addresss_bucket_not_in_one_shared_by_all_visitors(
    rf, settings, db
) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from django.http import HttpResponse

    from maillage.core.forms import form_submit
    from maillage.core.ratelimit import RateLimitExceeded

    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anonymous_write": "1/m", "write": "1/m"}

    def post_from(address: str) -> HttpResponse | None:
        request = rf.post("/", {"title": "Bancs"}, REMOTE_ADDR=address)
        request.user = AnonymousUser()
        return form_submit(request, TitleForm(request.POST), lambda: HttpResponse("saved"))

    assert post_from("192.0.2.1") is not None
    assert post_from("192.0.2.2") is not None  # another visitor has their own bucket
    with pytest.raises(RateLimitExceeded):
        post_from("192.0.2.1")
