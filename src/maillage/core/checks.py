"""System checks of the platform's own configuration."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.core import checks

from maillage.core.capabilities import configs, resolve


@checks.register("capabilities")
def check_declared_paths(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Report every declared path that does not resolve, naming its app and attribute."""
    errors: list[checks.CheckMessage] = []
    for config in configs():
        if app_configs is not None and config not in app_configs:
            continue
        for attribute, path in config.declared_paths():
            try:
                if attribute == "commands":
                    # Command groups are imported by the command line only (some load the
                    # analysis libraries): that they exist is enough here.
                    if find_spec(path) is None:
                        raise ImportError(f"no module named {path!r}")
                else:
                    resolve(path)
            except (ImportError, AttributeError) as error:
                errors.append(
                    checks.Error(
                        f"{config.name}: {attribute} = {path!r} does not resolve ({error})",
                        hint=f"Fix the {attribute} attribute of {type(config).__name__}.",
                        obj=config,
                        id="maillage.E001",
                    )
                )
    return errors
