"""Validation results as data: the library returns them, the CLI prints them and picks the exit code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    check: str            # the check's name, e.g. "label-missing-language" or "shacl:MinCountConstraint"
    severity: str         # error | warning | info
    message: str
    focus: str = ""       # the term or node at fault
    source: str = ""      # where the finding comes from (file, shape, reasoner)

    def line(self) -> str:
        focus = f" {self.focus}:" if self.focus else ""
        return f"{self.severity}: [{self.check}]{focus} {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)

    def extend(self, other: "Report") -> None:
        self.findings += other.findings
        self.checks_run += other.checks_run

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checks_run": sorted(self.checks_run),
                "findings": [asdict(f) for f in sorted(self.findings, key=lambda f: (f.severity, f.check, f.focus, f.message))]}
