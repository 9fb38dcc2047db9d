"""What every page's forms share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from maillage.core.ratelimit import hit_write

_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """Return the form's field ``name``, checked to be a ``kind`` (to set its queryset, choices…)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"the field {name!r} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def form_submit(
    request: HttpRequest, form: Any, save: Callable[[], HttpResponse]
) -> HttpResponse | None:
    """On the POST of a valid ``form``, count a write and return ``save()``'s response.

    The write counts in the person's bucket, or a visitor's in their address's (``hit_write``).

    Return None when there is nothing to save yet (a GET) or when the form or the service
    refused it; the service's refusal is then shown on the form (see ``add_service_errors``),
    and the caller renders the form with ``form_status(request)``.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    hit_write(request)
    try:
        return save()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def form_status(request: HttpRequest) -> int:
    """Return the status of a form page: 422 when it comes back refused from a POST."""
    return 422 if request.method == "POST" else 200


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's refusal on ``form``: on the fields it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class DateInput(forms.DateInput):
    """A browser date picker; its value is ISO whatever the language (it rejects 07/12/2026)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker, with the ISO value it requires."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
