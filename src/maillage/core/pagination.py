"""The one pagination of the API: ``limit`` and ``offset`` bounded, so no page is a 500.

Without bounds, ``?limit=`` or ``?offset=`` past 2^63 reach the database, which fails on them;
past ``MAX_LIMIT`` one page could hold a whole table. Out of bounds, the API answers 422 naming
the allowed range, as for any other invalid parameter.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT} items")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)  # type: ignore[arg-type]
