"""Who may create and change territories."""

from __future__ import annotations

import rules

from maillage.core.permissions import is_platform_admin
from maillage.people.permissions import is_territory_admin

rules.add_perm("territories.view_territory", rules.always_allow)
rules.add_perm("territories.add_territory", is_territory_admin | is_platform_admin)
rules.add_perm("territories.change_territory", is_territory_admin | is_platform_admin)
