"""The explanation of a link in words: the shared entities by facet, the actions taken forward and
the documents continued (English labels; the facet names are also kept in Chinese)."""

from __future__ import annotations

from policykg.link.graph import FACETS, Labels

FACET_NAMES = {  # (singular, plural) in English and Chinese, for explanations
    "sector": ("sector", "sectors", "行业"), "instrument": ("instrument", "instruments", "政策工具"),
    "program": ("program", "programs", "专项工作"), "region": ("region", "regions", "地区"),
    "agency": ("agency", "agencies", "机构"), "enterprise": ("enterprise category", "enterprise categories", "企业类别"),
}


def explain_related(shared: dict[str, list[str]], labels: Labels) -> str:
    return "shares " + "; ".join(_facet_words(f, shared[f], labels) for f in FACETS if shared.get(f))


def _facet_words(f: str, es: list[str], labels: Labels) -> str:
    """'2 sectors (Steel, Nonferrous metals)', remembered (the same entity lists recur in many links)."""
    key = (f, tuple(es))
    got = labels.explanations.get(key)
    if got is None:
        if len(labels.explanations) > 200_000:         # bounded memory
            labels.explanations.clear()
        one, many, _zh = FACET_NAMES[f]
        got = labels.explanations[key] = f"{len(es)} {one if len(es) == 1 else many} " \
                                          f"({', '.join(labels.label(e) for e in es)})"
    return got


def explain_lineage(shared, matched, via, labels: Labels) -> str:
    bits = []
    if via:
        bits.append("continues " + ", ".join(labels.label(d) for d in via) + ", which the measure applies")
    if matched:
        bits.append("takes forward " + ", ".join(labels.label(a) for a in matched))
    if shared:
        bits.append(explain_related(shared, labels))
    return "; ".join(bits)
