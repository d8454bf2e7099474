"""`policykg show ENTITY`: what the graph says about an entity, source by source (adapter over policykg.query.entity)."""

from __future__ import annotations

import sys

from policykg.cli.options import add_build_option


def cmd_show(args) -> int:
    from policykg.query import engine as query
    from policykg.query import entity, entity_format
    store = query.store(args.build)
    view = entity.about(store, args.entity)
    from policykg.terminal import escape
    text = entity_format.render(view, store, args.sources, lang=args.lang, fmt=args.format)
    sys.stdout.write(text if args.format == "json" else escape(text))     # labels may hold control characters
    return 0


def add(sub) -> None:
    s = sub.add_parser("show", help="what the graph says about an entity, source by source",
                       description="Describe an entity (an IRI, a key such as agency/miit, a zh/en label, a document "
                                   "number such as 工信部联运行〔2022〕160号, or a measure such as 措施二): its class, "
                                   "labels, definition, codes, values and neighbours by label, then every claim about "
                                   "it grouped by the source that makes it, with status, inference reasons and "
                                   "character offsets. With --sources DIR, find each source's text in DIR by its "
                                   "SHA-256 and quote the passages.")
    s.add_argument("entity", help="IRI, key, zh/en label, document number or measure reference")
    s.add_argument("--sources", metavar="DIR", help="a folder with your copies of the source texts")
    s.add_argument("--lang", choices=("en", "zh"), default="en", help="language of labels (default: en)")
    s.add_argument("--format", "-f", choices=("text", "md", "json"), default="text",
                   help="output: text, md (Markdown) or json (default: text)")
    add_build_option(s)
    s.set_defaults(func=cmd_show)
