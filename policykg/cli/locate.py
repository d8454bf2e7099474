"""`policykg locate FILE TEXT`: character offsets of a passage, for writing encodings."""

from __future__ import annotations

from pathlib import Path

from policykg.cli.options import EXIT_OK


def cmd_locate(args) -> int:
    from policykg.encoding import locate
    for start, end in locate.find(Path(args.file), args.text):
        print(f"{start}-{end}")
    return EXIT_OK


def add(sub) -> None:
    lo = sub.add_parser("locate", help="print the character offsets of a passage in a source text",
                        description="Print START-END character offsets (Unicode code points) of every occurrence of "
                                    "TEXT in FILE, for the 'at' locators of an encoding.")
    lo.add_argument("file", help="your copy of the source text")
    lo.add_argument("text", help="the passage to find")
    lo.set_defaults(func=cmd_locate)
