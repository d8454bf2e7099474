"""Whether a build can take new files by an add (policykg.build.incremental), or must be built in
full (docs/decisions/0010-adding-documents.md).

`build` takes the add path when the target folder holds a complete build of ours whose units were
made with the same ontology, vocabularies, rules and code (the context digest), and the units of
the folders to build are that build's units plus new ones: none removed, none changed, and none
whose lookups in other files the new files invalidate (`units.valid`). Otherwise `plan` says so
and the full build runs. Deciding this reads only the new files: the others are known by their
fingerprints (`policykg.build.state`), and the new ones are checked against the key table kept
with the build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from policykg.build import addlinks, distributed, output, state, units
from policykg.encoding.records import iri_of
from policykg.link import saved
from policykg.store.load import STORE_DIR


@dataclass
class Plan:
    done: list[units.Unit] | None = None       # every unit, when they were compiled to decide
    new: list[units.Unit] | None = None        # the units to add; None: the full build runs
    digests: list[str] = field(default_factory=list)     # of every unit after the add, in the files' order
    files: dict = field(default_factory=dict)  # the fingerprints to record (state.fingerprints)
    keys: "state.Keys | None" = None           # the kept key table, when the new files were checked against it
    state: dict = field(default_factory=dict)  # the earlier build's state


def plan(out_dir: Path, files: list[Path], ctx: units.Context, *, with_links: bool, dumps: bool = False,
         client=None, say: Callable[[str], None] = lambda _m: None, stats: dict | None = None) -> Plan:
    """Whether `out_dir` can take the new files by an add (see the module): `Plan.new` is None when
    the full build must run (also when nothing is new and the dumps are not asked for: building
    again is then a full rebuild, as it always was); `Plan.done` holds the units when they were
    compiled to decide (the full build then uses them). `stats` are the files' fingerprints
    (`state.stat_files`), taken before anything read them. Raises EncodingErrors as the full build would."""
    stats = stats if stats is not None else state.stat_files(files)
    old_state = state.recorded(out_dir) if output.build_id(out_dir) else None
    why = None
    if old_state is None:
        why = "no earlier build here"
    elif old_state.get("context") != ctx.digest:
        why = "the ontology, vocabularies, rules or code changed"
    elif old_state.get("links") != with_links:
        why = "links are asked for differently"
    elif with_links and not ((out_dir / "cache" / saved.FILE).is_file() or (out_dir / "cache" / addlinks.LINK_UNITS).is_file()):
        why = "the earlier build kept no link units"
    elif not (out_dir / STORE_DIR / "CURRENT").is_file() or not (out_dir / "cache" / "units").is_dir():
        why = "the earlier build has no store or no unit cache"
    elif any((out_dir / "extracted").glob("*.nq")):
        why = "the build holds an extracted tier"
    done = None
    if why is None:
        digest_of = state.digests(files, ctx.digest, stats, old_state.get("files") or {})
        old, now = set(old_state["units"]), set(digest_of.values())
        order = list(dict.fromkeys(digest_of[f] for f in files))          # the files' order, for the dumps
        fingerprints = state.fingerprints(stats, {os.path.abspath(f): d for f, d in digest_of.items()})
        if not old <= now:
            why = "a document was changed or removed"
        elif now == old and not dumps:
            why = "nothing new to add"
        else:
            fast = _check_new(out_dir, [f for f in files if digest_of[f] not in old], ctx, old_state) \
                if len(now) == len(files) else None
            if fast is not None:
                new, keys = fast
                return Plan(None, new, order, fingerprints, keys, old_state)
            done = distributed.compile_units(files, ctx.digest, units.default_cache(out_dir), client)
            if any(not u.reused for u in done if u.digest in old):
                why = "a new document changes what an earlier one refers to"
            else:
                return Plan(done, [u for u in done if u.digest not in old], order, fingerprints, None, old_state)
    say(f"full build: {why}")
    return Plan(done)


def _check_new(out_dir: Path, files: list[Path], ctx: units.Context, old_state: dict):
    """(units, key table) of the new `files`, read, checked and compiled against the key table kept
    with the earlier build; None when there is none, or when a new file has a problem or declares a
    key that is already declared, or names a graph of web pages (the whole check then runs, and
    reports it as the full build would)."""
    path = out_dir / "cache" / state.KEYS
    if "keys_gen" not in old_state or not path.is_file():
        return None
    cache = str(units.default_cache(out_dir))
    scans = [units.scan(str(f), ctx.digest, cache) for f in files]
    keys = state.Keys(path, old_state["keys_gen"], ctx.onto.individuals)
    extra = {}
    for sc in scans:
        if sc.broken or sc.errors:
            keys.close()
            return None
        for key, cls, _line in sc.declarations:
            iri = iri_of(key)
            if iri in extra or keys.get(iri) is not None:
                keys.close()
                return None
            extra[iri] = cls
    keys.extra = extra
    new = [units.compile_one(str(sc.path), sc.digest, keys, cache, ctx.digest) for sc in scans]
    if any(u.errors or u.pages for u in new):
        keys.close()
        return None
    return new, keys
