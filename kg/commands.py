"""The subcommands that live beside the modules they wrap.

Each module named here defines `add(subparsers)`, which adds its subcommand(s). Command modules
import heavy libraries inside their command functions only, so that parsing stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util

MODULES = [
    "kg.cli_query",     # query, sparql
    "kg.cli_show",      # show
    "kg.cli_serve",     # serve
    "kg.cli_viz",       # viz, stats
    "kg.cli_link",      # link
]


def adders():
    for name in MODULES:
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name).add
