"""A service's refusal shows on the form: on the fields it names, else above the form."""

from __future__ import annotations

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
