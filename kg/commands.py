"""Registry of the subcommands that live beside the modules they wrap (query, viz, link, ...).

Each entry is a function taking argparse's subparsers object and adding one subcommand.
"""

REGISTER: list = []


def register(fn):
    REGISTER.append(fn)
    return fn
