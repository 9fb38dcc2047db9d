"""The outcome of one record of an offline batch (field contributions, journey encounters).

A batch is answered record by record so that a bad record never sinks the good ones; each
record's ``status`` is the HTTP-like code of that record alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RecordResult:
    uuid: str
    status: int
    result: str  # created, duplicate, conflict, invalid, forbidden
    id: int | None = None
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
