"""The groups of the network pages' nodes (policykg.viz): each entity goes to the first group whose
class it has, and a group gives its nodes their zh/en name, colour and shape."""

from __future__ import annotations

from dataclasses import dataclass

from policykg.model.namespaces import PKG


@dataclass(frozen=True)
class Group:
    key: str
    en: str
    zh: str
    color: str
    shape: str
    cls: str | None  # the class that puts an entity in the group (first match wins, in GROUPS order)


# Order matters: an entity goes to the first group whose class it has.
GROUPS = [
    Group("measure", "Measure", "措施", "#e15759", "dot", PKG + "Measure"),
    Group("part", "Document part", "文件组成部分", "#f28e2b", "square", PKG + "DocumentPart"),
    Group("document", "Policy document", "政策文件", "#4e79a7", "hexagon", PKG + "PolicyDocument"),
    Group("source", "Report or edition", "报道或文本版本", "#9c755f", "square", PKG + "Document"),
    Group("target", "Quantitative target", "量化目标", "#b07aa1", "triangle", PKG + "Target"),
    Group("sector", "Sector", "行业", "#59a14f", "diamond", PKG + "Sector"),
    Group("instrument", "Policy instrument", "政策工具", "#edc948", "star", PKG + "PolicyInstrument"),
    Group("agency", "Agency", "机构", "#76b7b2", "triangleDown", PKG + "Agency"),
    Group("region", "Region", "地区", "#ff9da7", "dot", PKG + "Region"),
    Group("enterprise", "Enterprise category", "企业类别", "#8cd17d", "triangle", PKG + "EnterpriseCategory"),
    Group("program", "Program", "专项工作", "#d37295", "star", PKG + "Program"),
    # only in the focus view
    Group("action", "Policy action", "政策行动", "#ff7f7f", "dot", PKG + "PolicyAction"),
    Group("event", "Event", "事件", "#a0cbe8", "dot", PKG + "Event"),
    Group("person", "Person", "人物", "#bab0ac", "dot", PKG + "Person"),
    Group("statistic", "Statistic", "统计数据", "#d4a6c8", "triangle", PKG + "Quantity"),
    Group("other", "Other", "其他", "#cccccc", "dot", None),
    # only in overviews too big to draw document by document (see aggregate.py); never matched by class
    Group("cluster", "Documents by main sector", "按主要行业分组的文件", "#4e79a7", "hexagon", None),
]
GROUP = {g.key: g for g in GROUPS}
OVERVIEW_GROUPS = ["document", "source", "part", "measure", "target", "sector", "instrument", "agency",
                   "region", "enterprise", "program"]
ALWAYS_SHOWN = {"document", "source", "part", "measure", "target"}   # in the overview even when unlinked
