"""Generated stores for tests and benchmarks: the shape of the real graph, with known answers.

`fixture_store()` is a small hand-written graph (the ontology plus one source graph, materialized
like a build) that includes a sector whose labels are markup, to prove the pages escape data.
`synthetic_store(n)` is a policy-shaped graph of about `n` overview nodes, for benchmarks.
"""

from __future__ import annotations

import random
import re

import pyoxigraph as ox

from policykg import paths
from policykg.model.namespaces import GRAPH, ONTOLOGY_GRAPH, PID, PKG, RDF, RDFS, SKOS

XSS = "<img src=x onerror=alert(1)>"

FIXTURE = f"""
@prefix pkg: <{PKG}> .
@prefix pid: <{PID}> .
@prefix rdf: <{RDF}> .
@prefix rdfs: <{RDFS}> .
@prefix skos: <{SKOS}> .
@prefix dcterms: <http://purl.org/dc/terms/> .

pid:doc/fx-notice a pkg:Notice ; skos:prefLabel "Fixture notice"@en, "测试通知"@zh ;
    pkg:issuedBy pid:agency/miit .
pid:doc/fx-plan a pkg:WorkPlan ; skos:prefLabel "Fixture plan"@en, "测试方案"@zh ;
    pkg:implements pid:doc/fx-notice .
pid:doc/fx-plan/part/1 a pkg:Part ; skos:prefLabel "Plan part 1"@en, "方案第一部分"@zh ;
    pkg:isPartOf pid:doc/fx-plan ; pkg:continues pid:doc/fx-old .
pid:doc/fx-old a pkg:PolicyPackage ; skos:prefLabel "Earlier package"@en, "早先一揽子政策"@zh .
pid:source/fx-report a pkg:NewsReport ; skos:prefLabel "Fixture report"@en, "测试报道"@zh ;
    pkg:reportsOn pid:doc/fx-notice .

pid:doc/fx-notice/part/1 a pkg:Part ; skos:prefLabel "Part 1"@en, "第一部分"@zh ; pkg:isPartOf pid:doc/fx-notice .
pid:doc/fx-notice/part/2 a pkg:Part ; skos:prefLabel "Part 2"@en, "第二部分"@zh ; pkg:isPartOf pid:doc/fx-notice .
pid:doc/fx-notice/measure/1 a pkg:Measure ; skos:prefLabel "Measure 1: car consumption"@en, "措施一：汽车消费"@zh ;
    pkg:isPartOf pid:doc/fx-notice/part/1 ; pkg:commitsTo pid:doc/fx-notice/action/1-1 .
pid:doc/fx-notice/action/1-1 a pkg:PolicyAction ; skos:prefLabel "Run a car campaign"@en, "开展汽车促消费活动"@zh ;
    pkg:targetsSector pid:sector/automobiles ; pkg:usesInstrument pid:instrument/consumption-campaign ;
    pkg:responsibleAgency pid:agency/miit ; pkg:concernsProgram pid:program/car-tour .
pid:doc/fx-notice/measure/2 a pkg:Measure ; skos:prefLabel "Measure 2: materials"@en, "措施二：原材料"@zh ;
    pkg:isPartOf pid:doc/fx-notice/part/1 ;
    pkg:targetsSector pid:sector/automobiles, pid:sector/steel, pid:sector/xss ;
    pkg:usesInstrument pid:instrument/credit ; pkg:responsibleAgency pid:agency/ndrc ;
    pkg:appliesToRegion pid:region/hebei .
pid:doc/fx-notice/measure/3 a pkg:Measure ; skos:prefLabel "Measure 3: small firms"@en, "措施三：中小企业"@zh ;
    pkg:isPartOf pid:doc/fx-notice/part/2 ;
    pkg:targetsSector pid:sector/steel ; pkg:usesInstrument pid:instrument/credit ;
    pkg:responsibleAgency pid:agency/ndrc ; pkg:addressesEnterpriseCategory pid:enterprise/smes .
pid:target/fx-1 a pkg:Target ; skos:prefLabel "Growth target"@en, "增长目标"@zh ;
    pkg:targetSetBy pid:doc/fx-notice ; pkg:refSector pid:sector/automobiles .

pid:sector/automobiles a pkg:Sector ; skos:prefLabel "Automobiles"@en, "汽车"@zh ;
    skos:altLabel "Automobile industry"@en, "汽车行业"@zh ; skos:broader pid:sector/manufacturing .
pid:sector/steel a pkg:Sector ; skos:prefLabel "Steel"@en, "钢铁"@zh .
pid:sector/manufacturing a pkg:Sector ; skos:prefLabel "Manufacturing"@en, "制造业"@zh .
pid:sector/xss a pkg:Sector ; skos:prefLabel "{XSS}"@en, "{XSS}"@zh .
pid:sector/unused a pkg:Sector ; skos:prefLabel "Unused sector"@en, "未使用行业"@zh .
pid:instrument/consumption-campaign a pkg:PolicyInstrument ; skos:prefLabel "Consumption campaign"@en, "促消费活动"@zh .
pid:instrument/credit a pkg:PolicyInstrument ; skos:prefLabel "Credit support"@en, "信贷支持"@zh .
pid:agency/miit a pkg:Agency ; skos:prefLabel "MIIT"@en, "工业和信息化部"@zh .
pid:agency/ndrc a pkg:Agency ; skos:prefLabel "NDRC"@en, "国家发展改革委"@zh .
pid:region/hebei a pkg:Region ; skos:prefLabel "Hebei"@en, "河北"@zh .
pid:enterprise/smes a pkg:EnterpriseCategory ; skos:prefLabel "SMEs"@en, "中小企业"@zh .
pid:program/car-tour a pkg:Campaign ; skos:prefLabel "Car tour"@en, "汽车下乡"@zh .

pid:claim/fx-1 a pkg:Claim, rdf:Statement ; rdf:subject pid:doc/fx-notice/measure/2 ;
    rdf:predicate pkg:targetsSector ; rdf:object pid:sector/automobiles ;
    pkg:statedIn pid:source/fx-report ; pkg:claimStatus pkg:Accepted .
pid:claim/fx-2 a pkg:Claim, rdf:Statement ; rdf:subject pid:sector/xss ;
    rdf:predicate rdf:type ; rdf:object pkg:Sector ;
    pkg:statedIn pid:source/fx-report ; pkg:claimStatus pkg:Accepted .
"""

# What the overview of the fixture must show: everything above except the action, the unused sector
# and the broader sector (linked only by skos:broader, which the overview does not draw).
FIXTURE_OVERVIEW_NODES = 21


def _turtle(text: str) -> bytes:
    """Expand `pid:` names, whose keys contain '/', which Turtle's prefixed names do not allow."""
    return re.sub(r"\bpid:([A-Za-z0-9/\-]+)", lambda m: f"<{PID}{m.group(1)}>", text).encode("utf-8")


def _ontology_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(paths.ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    return store


def fixture_store() -> ox.Store:
    from policykg.model import reason
    store = _ontology_store()
    store.load(_turtle(FIXTURE), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH + "source/fx"))
    reason.materialize(store)
    return store


def synthetic_store(n: int = 5000, seed: int = 1) -> ox.Store:
    """About `n` overview nodes: documents of 4 parts × 5 measures, plus a tenth of n vocabulary concepts.

    Measures state their links directly (no reasoning needed); types are the specific classes.
    """
    rnd = random.Random(seed)
    vocab_n = max(10, n // 10)
    docs = max(1, (n - vocab_n) // 25)
    kinds = [("sector", "Sector", 0.4), ("instrument", "PolicyInstrument", 0.2), ("agency", "Agency", 0.15),
             ("region", "Region", 0.15), ("enterprise", "EnterpriseCategory", 0.1)]
    vocab = {k: [f"{k}/s{i}" for i in range(max(1, int(vocab_n * share)))] for k, _, share in kinds}
    lines = [f"@prefix pkg: <{PKG}> .", f"@prefix pid: <{PID}> .", f"@prefix skos: <{SKOS}> ."]

    def ent(key, cls, en, zh):
        lines.append(f'pid:{key} a pkg:{cls} ; skos:prefLabel "{en}"@en, "{zh}"@zh .')

    for k, cls, _ in kinds:
        for i, key in enumerate(vocab[k]):
            ent(key, cls, f"{cls} {i}", f"{k}类 {i}")
    for d in range(docs):
        doc = f"doc/syn-{d}"
        ent(doc, "Notice", f"Notice {d}", f"通知 {d}")
        if d:
            lines.append(f"pid:{doc} pkg:implements pid:doc/syn-{rnd.randrange(d)} .")
        for p in range(4):
            part = f"{doc}/part/{p + 1}"
            ent(part, "Part", f"Notice {d} part {p + 1}", f"通知 {d} 第{p + 1}部分")
            lines.append(f"pid:{part} pkg:isPartOf pid:{doc} .")
            for m in range(5):
                meas = f"{doc}/measure/{p * 5 + m + 1}"
                ent(meas, "Measure", f"Notice {d} measure {p * 5 + m + 1}", f"通知 {d} 措施{p * 5 + m + 1}")
                lines.append(f"pid:{meas} pkg:isPartOf pid:{part} .")
                for k, prop, many in [("sector", "targetsSector", 3), ("instrument", "usesInstrument", 2),
                                      ("agency", "responsibleAgency", 1), ("region", "appliesToRegion", 1),
                                      ("enterprise", "addressesEnterpriseCategory", 1)]:
                    for o in rnd.sample(vocab[k], min(len(vocab[k]), rnd.randint(1, many))):
                        lines.append(f"pid:{meas} pkg:{prop} pid:{o} .")
    store = _ontology_store()
    store.load(_turtle("\n".join(lines)), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(GRAPH + "source/synthetic"))
    return store


def synthetic_overview(policies: int, seed: int = 13) -> "nx.DiGraph":
    """An overview graph (the shape `projections.overview` returns) of `policies` synthetic policies,
    made directly in networkx, for the page benchmark at sizes the store-based build cannot reach
    quickly: each policy has a year (2010–2024), a document number, 2 parts of 4 measures, and each
    measure targets 1–3 sectors, uses 1–2 instruments and names an agency (skewed: a few concepts are
    common, most rare); half the policies implement an earlier one. Vocabulary sizes are those of the
    real vocabularies' order of magnitude (100 sectors, 60 instruments, 80 agencies, 34 regions)."""
    import networkx as nx

    from policykg.viz.groups import GROUP
    rnd = random.Random(seed)
    g = nx.DiGraph()
    sizes = {"sector": 100, "instrument": 60, "agency": 80, "region": 34, "enterprise": 20}
    zh = {"sector": "行业", "instrument": "政策工具", "agency": "机构", "region": "地区", "enterprise": "企业类别"}
    vocab = {k: [f"{PID}{k}/syn-{i}" for i in range(n)] for k, n in sizes.items()}

    def node(iri, group, en, zh_label, alt=(), **extra):
        gr = GROUP[group]
        g.add_node(iri, iri=iri, group=group, label_en=en, label_zh=zh_label, type_en=gr.en, type_zh=gr.zh,
                   alt=list(alt), sources=[], **extra)

    def edge(a, b, rel):
        g.add_edge(a, b, rels=[rel], label_en=rel, label_zh=rel, sources=[], weight=1)

    for k, iris in vocab.items():
        for i, iri in enumerate(iris):
            node(iri, k, f"{GROUP[k].en} {i}", f"{zh[k]} {i}")

    def pick(k):        # skewed: concept i drawn with weight 1/(i+1)
        return vocab[k][min(int(rnd.paretovariate(1.2)) - 1, len(vocab[k]) - 1)]
    for d in range(policies):
        doc = f"{PID}doc/syn-{d}"
        year = 2010 + d * 15 // max(policies, 1)
        node(doc, "document", f"Synthetic policy {d}", f"合成政策 {d}", alt=[f"合成〔{year}〕{d}号"], year=year)
        edge(doc, pick("agency"), "issuedBy")
        if d and rnd.random() < 0.5:
            edge(doc, f"{PID}doc/syn-{rnd.randrange(d)}", "implements")
        for p in range(2):
            part = f"{doc}/part/{p + 1}"
            node(part, "part", f"Policy {d} part {p + 1}", f"政策 {d} 第{p + 1}部分")
            edge(part, doc, "isPartOf")
            for m in range(4):
                meas = f"{doc}/measure/{p * 4 + m + 1}"
                node(meas, "measure", f"Policy {d} measure {p * 4 + m + 1}", f"政策 {d} 措施{p * 4 + m + 1}")
                edge(meas, part, "isPartOf")
                for k, rel, many in (("sector", "targetsSector", 3), ("instrument", "usesInstrument", 2),
                                     ("agency", "responsibleAgency", 1), ("region", "appliesToRegion", 1)):
                    for _ in range(rnd.randint(1, many)):
                        edge(meas, pick(k), rel)
                if rnd.random() < 0.2:
                    edge(meas, pick("enterprise"), "addressesEnterpriseCategory")
    return g
