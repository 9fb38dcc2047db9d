"""What pooling gives the cooperation mesh: each exchange, from the giver to the receiver."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from maillage.analysis.graph import EdgeKind
from maillage.analysis.graph.sources import Link, MeshSource, as_datetime, organization
from maillage.pooling.models import Exchange


def exchange_links() -> list[Link]:
    """Each confirmed exchange, from the giving organization to the receiving one."""
    return [
        Link(
            organization(giver),
            organization(receiver),
            EdgeKind.POOLING,
            1.0,
            as_datetime(day),
            f"pooling.exchange:{pk}",
        )
        for pk, giver, receiver, day in Exchange.objects.confirmed().values_list(
            "pk", "giver_id", "receiver_id", "happened_on"
        )
    ]


source = MeshSource(links=exchange_links, records={"pooling.exchange": gettext_lazy("exchange")})
