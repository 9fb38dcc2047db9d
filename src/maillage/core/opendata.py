"""The open-data registry: the shape of a public dataset, and every app's datasets.

Each app lists its datasets in its ``datasets`` module and names it in its AppConfig (see
``core.capabilities``); a capability switched off publishes nothing. A dataset names its fields
as a Frictionless Table Schema, its licence, how it is pseudonymized, and a row generator that
streams from the database in constant memory. The ``opendata`` app turns the registry into the
/open-data/ page, the DCAT-AP catalogue, HTTP downloads and ``maillage export``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

LICENCE_OUVERTE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
FORMATS = ("csv", "json", "geojson")


class UnknownDataset(LookupError):
    """The dataset or the format does not exist; the message lists the valid ones."""


@dataclass(frozen=True)
class Field:
    """A Table Schema field: ``type`` is a Frictionless type (string, integer, datetime…)."""

    name: str
    type: str
    description: str | Promise  # translated when the schema is written, in the reader's language
    required: bool = False
    enum: tuple[str | Promise, ...] | None = None

    def descriptor(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": str(self.description),
        }
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            result["constraints"] = constraints
        return result


@dataclass(frozen=True)
class Dataset:
    """One public dataset. ``rows`` yields dicts keyed by field name, in field order."""

    name: str
    title: Any
    description: Any
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    pseudonymization: Any
    primary_key: str | None = "id"
    geometry: Callable[[dict[str, Any]], dict | None] | None = None
    keywords: tuple[str, ...] = ()
    # Codes of the EU data-theme vocabulary (REGI: regions and cities, GOVE: government…).
    themes: tuple[str, ...] = ("REGI",)
    licence: dict[str, str] = field(default_factory=lambda: dict(LICENCE_OUVERTE))

    @property
    def formats(self) -> tuple[str, ...]:
        return FORMATS if self.geometry is not None else FORMATS[:2]

    def table_schema(self) -> dict[str, Any]:
        """Return the Frictionless Table Schema descriptor."""
        schema: dict[str, Any] = {"fields": [f.descriptor() for f in self.fields]}
        if self.primary_key:
            schema["primaryKey"] = [self.primary_key]
        return schema

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        yield from self.rows()


def datasets() -> list[Dataset]:
    """Return the datasets of every installed app, sorted by name."""
    from maillage.core.capabilities import datasets as declared

    return sorted(declared(), key=lambda dataset: dataset.name)


def get_dataset(name: str, fmt: str | None = None) -> Dataset:
    """Return the dataset ``name``; raise UnknownDataset listing valid names or formats."""
    known = {dataset.name: dataset for dataset in datasets()}
    dataset = known.get(name)
    if dataset is None:
        valid = ", ".join(sorted(known)) or "(none)"
        raise UnknownDataset(f"unknown dataset {name!r}; valid datasets: {valid}")
    if fmt is not None and fmt not in dataset.formats:
        raise UnknownDataset(
            f"dataset {name!r} has no format {fmt!r}; valid formats: {', '.join(dataset.formats)}"
        )
    return dataset
