"""Who may see what of the mesh.

The observatory pages and exports are public: they show organizations, territories and only
the persons who opted in, and only links derived from public records. A person's own place in
the mesh, and their consent, are theirs alone.
"""

from __future__ import annotations

from typing import Any

import rules

from maillage.core.permissions import ACCOUNTS, EVERYONE, NOBODY, is_participant


@rules.predicate
def is_the_person(user: Any, person: Any) -> bool:
    return person is not None and is_participant(user) and user.pk == person.pk


rules.add_perm("mesh.view_observatory", rules.always_allow)
rules.add_perm("mesh.view_place", is_the_person)
rules.add_perm("mesh.change_consent", is_the_person)


# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "mesh:edges_csv": (EVERYONE, NOBODY),
    "mesh:gexf": (EVERYONE, NOBODY),
    "mesh:graphml": (EVERYONE, NOBODY),
    "mesh:index": (EVERYONE, NOBODY),
    "mesh:nodes_csv": (EVERYONE, NOBODY),
    "mesh:organization": (EVERYONE, NOBODY),
    "mesh:place": (ACCOUNTS, ACCOUNTS),
    "mesh:territory": (EVERYONE, NOBODY),
}
