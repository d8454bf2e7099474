"""Synthetic corpus: N policies in the encoding format of docs/encoding.md, for the scale benchmarks.

Each policy is one generated text (texts/synth-NNNNNN.txt) and its encoding
(documents/synth-NNNNNN.yaml): a policy document with its number, issuers, date, regions, period,
references to earlier synthetic policies, parts, measures, the actions each measure commits to
(instruments, sectors, programs, responsible agencies, enterprise categories, regions) and
quantified targets. Every tenth policy also gets a news report (documents/news-NNNNNN.yaml) that
reports on it and on a statistic. Every fact points with character offsets to the words of the
generated text that state it; `sha256` and `chars` are those of the written text. Entity values are
keys of the real vocabularies (ontology/vocab), drawn with a skew so that a few instruments and
sectors are common and most are rare, as in the real encodings.

The same seed and N always give the same bytes. The files pass the encoding checker on their own
or together with kg/documents (synthetic keys never clash with real ones).

    python benchmarks/corpus.py N OUT [--seed 15]       # writes OUT/documents and OUT/texts
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology"
PKG = "https://w3id.org/policykg/ontology#"
PID = "https://w3id.org/policykg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

DOC_TYPES = ["Notice", "WorkPlan", "ActionPlan", "Guideline", "DevelopmentPlan"]
DOC_TYPE_ZH = {"Notice": "通知", "WorkPlan": "工作方案", "ActionPlan": "行动计划", "Guideline": "指导意见",
               "DevelopmentPlan": "发展规划"}
DOC_TYPE_EN = {"Notice": "Notice", "WorkPlan": "Work plan", "ActionPlan": "Action plan", "Guideline": "Guideline",
               "DevelopmentPlan": "Development plan"}
NUMERALS = "一二三四五六七八九十"
# Optional facts of an action: (property, vocabulary class, words before, probability, words after).
ACTION_EXTRAS = [("concernsProgram", "Program", "实施", 0.3, "，"),
                 ("addressesEnterpriseCategory", "EnterpriseCategory", "面向", 0.3, "，"),
                 ("appliesToRegion", "Region", "在", 0.2, "，"),
                 ("responsibleAgency", "Agency", "", 0.4, "负责")]


@dataclass
class Vocab:
    """Keys of the real vocabularies by class, with their Chinese labels."""
    keys: dict[str, list[str]]
    zh: dict[str, str]

    @classmethod
    def load(cls, ontology_dir: Path = ONTOLOGY) -> "Vocab":
        store = ox.Store()
        for f in sorted((ontology_dir / "vocab").glob("*.ttl")):
            store.load(path=str(f), format=ox.RdfFormat.TURTLE)
        keys: dict[str, list[str]] = {}
        for name in ("Agency", "MediaOrganization", "PolicyInstrument", "Sector", "Region", "EnterpriseCategory",
                     "Program", "Indicator", "Unit", "Qualifier", "Period"):
            found = sorted(q.subject.value[len(PID):] for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(PKG + name))
                           if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(PID))
            keys[name] = found
        zh: dict[str, str] = {}
        for p in ("prefLabel", "altLabel"):
            for q in store.quads_for_pattern(None, ox.NamedNode(SKOS + p), None):
                if isinstance(q.object, ox.Literal) and q.object.language == "zh" and q.subject.value.startswith(PID):
                    zh.setdefault(q.subject.value[len(PID):], q.object.value)
        for q in store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None):
            if isinstance(q.object, ox.Literal) and q.object.language == "zh" and q.subject.value.startswith(PID):
                zh.setdefault(q.subject.value[len(PID):], q.object.value)
        # Agencies that issue policies (not media, not internal units): those typed pkg:Agency only.
        media = set(keys["MediaOrganization"])
        keys["Agency"] = [k for k in keys["Agency"] if k not in media]
        return cls(keys, zh)


class Text:
    """A text under construction; `say` appends words and returns their code-point span."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0

    def say(self, words: str) -> str:
        start = self.length
        self.parts.append(words)
        self.length += len(words)
        return f"{start}-{self.length}"

    def value(self) -> str:
        return "".join(self.parts)


@dataclass
class Entry:
    """One entry of the 'entities' section: YAML lines are written by `render`."""
    key: str
    type: str | None = None
    label: tuple[str, str] | None = None     # (en, zh)
    at: str | None = None
    facts: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)  # (prop, value, at, lang)


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_entry(e: Entry) -> list[str]:
    out = [f"  {e.key}:"]
    if e.type:
        out.append(f"    type: {e.type}")
        out.append(f"    label: {{en: {_q(e.label[0])}, zh: {_q(e.label[1])}}}")
    if e.at:
        out.append(f"    at: {e.at}")
    if e.facts:
        out.append("    facts:")
        by_prop: dict[str, list] = {}
        for prop, v, at, lang in e.facts:
            by_prop.setdefault(prop, []).append((v, at, lang))
        for prop, values in by_prop.items():
            items = [_value(v, at, lang) for v, at, lang in values]
            if len(items) == 1:
                out.append(f"      {prop}: {items[0]}")
            else:
                out.append(f"      {prop}:")
                out += [f"        - {item}" for item in items]
    return out


def _value(v: str, at: str | None, lang: str | None) -> str:
    if not at and not lang:
        return _q(v)
    inner = [f"v: {_q(v)}"] + ([f"lang: {lang}"] if lang else []) + ([f"at: {at}"] if at else [])
    return "{" + ", ".join(inner) + "}"


class Generator:
    def __init__(self, vocab: Vocab, n: int, seed: int):
        self.v, self.n, self.seed = vocab, n, seed
        self.orders = {kind: random.Random(f"{seed}-{kind}").sample(pool, len(pool)) for kind, pool in vocab.keys.items()}

    def pick(self, rnd: random.Random, kind: str, k: int = 1) -> list[str]:
        """k distinct keys of a vocabulary class, skewed: the first keys of a seeded order are common."""
        order = self.orders[kind]
        k = min(k, len(order))
        out: list[str] = []
        while len(out) < k:
            i = min(int(rnd.paretovariate(1.2)) - 1, len(order) - 1)
            if rnd.random() < 0.3:
                i = rnd.randrange(len(order))
            if order[i] not in out:
                out.append(order[i])
        return out

    def zh(self, key: str) -> str:
        return self.v.zh.get(key, key.rsplit("/", 1)[-1])

    def policy(self, i: int) -> tuple[str, str]:
        """(text, yaml) of policy i."""
        rnd = random.Random(f"{self.seed}-policy-{i}")
        name = f"synth-{i:06d}"
        doc = f"doc/{name}"
        dtype = rnd.choice(DOC_TYPES)
        year = 2015 + i % 10
        month, day = rnd.randint(1, 12), rnd.randint(1, 28)
        topic = self.pick(rnd, "Sector")[0]
        t = Text()
        entries: list[Entry] = []
        d = Entry(doc, dtype, (f"Synthetic {DOC_TYPE_EN[dtype].lower()} {i} on {topic.rsplit('/', 1)[-1]}",
                               f"合成政策{i}号{DOC_TYPE_ZH[dtype]}（{self.zh(topic)}）"))
        issuers = self.pick(rnd, "Agency", rnd.choice([1, 1, 2, 3]))
        title_zh = f"关于推动{self.zh(topic)}高质量发展的{DOC_TYPE_ZH[dtype]}（合成{i}）"
        at_title = t.say(title_zh)
        t.say("\n")
        number = f"合成发〔{year}〕{i}号"
        at_number = t.say(number)
        t.say("\n")
        d.facts += [("title", title_zh, at_title, "zh"), ("documentNumber", number, at_number, None)]
        d.facts += [("title", f"Synthetic policy {i}: promoting {topic.rsplit('/', 1)[-1]}", at_title, "en")]
        for a in issuers:
            d.facts.append(("issuedBy", a, t.say(self.zh(a)), None))
            t.say("、")
        d.facts.append(("dateIssued", f"{year}-{month:02d}-{day:02d}", t.say(f"{year}年{month}月{day}日"), None))
        t.say("\n")
        for r in self.pick(rnd, "Region", rnd.choice([1, 1, 2])):
            d.facts.append(("appliesToRegion", r, t.say(f"各{self.zh(r)}"), None))
            t.say("：\n")
        period = rnd.choice(self.v.keys["Period"])
        t.say("实施期为")
        d.facts.append(("coversPeriod", period, t.say(self.zh(period)), None))
        t.say("，")
        earlier = sorted(rnd.sample(range(i), min(i, rnd.choice([0, 1, 1, 2, 3]))))
        for j in earlier:
            span = t.say(f"为贯彻合成政策{j}号文件")
            d.facts.append((rnd.choice(["refersTo", "implements"]), f"doc/synth-{j:06d}", span, None))
            t.say("，")
        d.facts.append(("inForce", "pkg:InForce", t.say("现就有关事项通知如下。"), None))
        t.say("\n")
        entries.append(d)
        targets = self._targets(rnd, i, doc, t, entries)
        for tg, span in targets:
            d.facts.append(("setsTarget", tg, span, None))
        for p in range(1, rnd.choice([2, 2, 3, 3]) + 1):
            self._part(rnd, i, doc, p, t, entries)
        text, head = self._header(t, f"Synthetic policy {i}", name, "TextEdition",
                                  (f"Text of synthetic policy {i}", f"合成政策{i}号文本"))
        head += [f"    editionOf: {{v: {doc}, at: {at_title}}}", "", "entities:"]
        body = []
        for e in entries:
            body += render_entry(e) + [""]
        return text, "\n".join(head + body)

    def _header(self, t: Text, title: str, name: str, cls: str, label: tuple[str, str]) -> tuple[str, list[str]]:
        """The finished text, and the 'source' section of its encoding up to its facts."""
        text = t.value() + "\n"
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return text, [f"# {title} (benchmarks/corpus.py, seed {self.seed}); text: texts/{name}.txt.",
                      "source:", f"  key: source/{name}", f"  type: {cls}",
                      f"  label: {{en: {_q(label[0])}, zh: {_q(label[1])}}}",
                      f"  sha256: {sha}", f"  chars: {len(text)}", "  facts:"]

    def _targets(self, rnd, i, doc, t: Text, entries) -> list[tuple[str, str]]:
        out = []
        t.say("主要目标：")
        for k in range(1, rnd.choice([1, 2, 2, 3]) + 1):
            key = f"target/synth-{i:06d}/{k}"
            ind, unit = self.pick(rnd, "Indicator")[0], rnd.choice(["unit/percent", "unit/percent", "unit/cny-billion"])
            value = f"{rnd.randint(1, 200) / 10:.1f}"
            period = rnd.choice(self.v.keys["Period"])
            sector = self.pick(rnd, "Sector")[0]
            start = t.length
            e = Entry(key, "Target", (f"Synthetic policy {i}, target {k}", f"合成政策{i}号目标{k}"))
            e.facts.append(("indicator", ind, t.say(self.zh(ind)), None))
            t.say("达到")
            e.facts.append(("value", value, t.say(value), None))
            e.facts.append(("unit", unit, t.say(self.zh(unit)), None))
            e.facts.append(("qualifier", "qualifier/about", t.say("左右"), None))
            t.say("（")
            e.facts.append(("refPeriod", period, t.say(self.zh(period)), None))
            t.say("，")
            e.facts.append(("refSector", sector, t.say(self.zh(sector)), None))
            t.say("）；")
            e.at = f"{start}-{t.length}"
            entries.append(e)
            out.append((key, e.at))
        t.say("\n")
        return out

    def _part(self, rnd, i, doc, p, t: Text, entries) -> None:
        part = f"{doc}/part/{p}"
        at = t.say(f"{NUMERALS[p - 1]}、重点任务{p}")
        t.say("\n")
        entries.append(Entry(part, "Part", (f"Synthetic policy {i}, part {p}", f"合成政策{i}号第{p}部分"), at,
                             [("isPartOf", doc, None, None), ("ordinal", str(p), None, None)]))
        for m in range(1, rnd.choice([2, 2, 3, 4]) + 1):
            key = f"{doc}/measure/{p}-{m}"
            m_at = t.say(f"（{m}）措施{p}-{m}。")
            e = Entry(key, "Measure", (f"Synthetic policy {i}, measure {p}-{m}", f"合成政策{i}号措施{p}-{m}"), m_at,
                      [("isPartOf", part, None, None), ("ordinal", str(m), None, None)])
            entries.append(e)
            for a in range(1, rnd.choice([1, 2, 2, 3]) + 1):
                akey = f"{doc}/action/{p}-{m}-{a}"
                action = self._action(rnd, i, akey, f"{p}-{m}-{a}", t)
                e.facts.append(("commitsTo", akey, action.at, None))
                entries.append(action)
            t.say("\n")

    def _action(self, rnd, i, key, num, t: Text) -> Entry:
        start = t.length
        e = Entry(key, "PolicyAction", (f"Synthetic policy {i}, action {num}", f"合成政策{i}号行动{num}"))
        for ins in self.pick(rnd, "PolicyInstrument", rnd.choice([1, 1, 2, 2, 3])):
            t.say("运用")
            e.facts.append(("usesInstrument", ins, t.say(self.zh(ins)), None))
            t.say("，")
        for s in self.pick(rnd, "Sector", rnd.choice([0, 1, 1, 2])):
            t.say("支持")
            e.facts.append(("targetsSector", s, t.say(self.zh(s)), None))
            t.say("，")
        for prop, kind, before, chance, after in ACTION_EXTRAS:
            if rnd.random() < chance:
                key = self.pick(rnd, kind)[0]
                t.say(before)
                e.facts.append((prop, key, t.say(self.zh(key)), None))
                t.say(after)
        t.say("。")
        e.at = f"{start}-{t.length}"
        return e

    def news(self, i: int) -> tuple[str, str]:
        """(text, yaml) of the news report on policy i."""
        rnd = random.Random(f"{self.seed}-news-{i}")
        name = f"news-{i:06d}"
        t = Text()
        outlet = rnd.choice(self.v.keys["MediaOrganization"])
        at_outlet = t.say(self.zh(outlet))
        t.say(" ")
        year = 2015 + i % 10
        at_date = t.say(f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}")
        date = t.parts[-1]
        t.say("\n")
        at_doc = t.say(f"合成政策{i}号文件近日印发")
        t.say("。")
        ind = self.pick(rnd, "Indicator")[0]
        value = f"{rnd.randint(1, 150) / 10:.1f}"
        stat = f"stat/news-{i:06d}"
        start = t.length
        s = Entry(stat, "Statistic", (f"Statistic reported with synthetic policy {i}", f"合成政策{i}号报道中的统计数据"))
        s.facts.append(("indicator", ind, t.say(self.zh(ind)), None))
        t.say("为")
        s.facts.append(("value", value, t.say(value), None))
        s.facts.append(("unit", "unit/percent", t.say("%"), None))
        t.say("（")
        period = rnd.choice(self.v.keys["Period"])
        s.facts.append(("refPeriod", period, t.say(self.zh(period)), None))
        t.say("，")
        s.facts.append(("refArea", "region/china", t.say("全国"), None))
        t.say("）。")
        s.at = f"{start}-{t.length}"
        text, lines = self._header(t, f"Synthetic news report on policy {i}", name, "NewsReport",
                                   (f"Synthetic news report on policy {i}", f"合成政策{i}号新闻报道"))
        lines += [f"    publishedBy: {{v: {outlet}, at: {at_outlet}}}",
                  f"    datePublished: {{v: {date}, at: {at_date}}}",
                  f"    reportsOn: {{v: doc/synth-{i:06d}, at: {at_doc}}}",
                  f"    reportsStatistic: {{v: {stat}, at: {s.at}}}", "", "entities:"]
        return text, "\n".join(lines + render_entry(s) + [""])


def write(n: int, out: Path, seed: int = 15, start: int = 0) -> list[Path]:
    """Write policies start..n-1 (and their news reports) into out/documents and out/texts."""
    gen = Generator(Vocab.load(), n, seed)
    docs, texts = out / "documents", out / "texts"
    docs.mkdir(parents=True, exist_ok=True)
    texts.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(start, n):
        items = [(f"synth-{i:06d}", gen.policy(i))]
        if i % 10 == 9:
            items.append((f"news-{i:06d}", gen.news(i)))
        for name, (text, yaml_text) in items:
            (texts / f"{name}.txt").write_text(text, encoding="utf-8")
            path = docs / f"{name}.yaml"
            path.write_text(yaml_text, encoding="utf-8")
            written.append(path)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of policies")
    ap.add_argument("out", type=Path, help="folder to write documents/ and texts/ into")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--start", type=int, default=0, help="first policy number (to add policies to a corpus)")
    args = ap.parse_args(argv)
    files = write(args.n, args.out, args.seed, args.start)
    print(f"wrote {len(files)} encodings into {args.out / 'documents'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
