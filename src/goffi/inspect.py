"""``goffi inspect``: what every exported Go symbol becomes in Python, and why.

Reads the same :class:`~goffi.plan.BundlePlan` the renderers read, so what it prints
is exactly what a build produces. Output is deterministic (sorted by package path,
then kind, then name).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from goffi.plan import BundlePlan, FuncPlan, PackagePlan
from goffi.typemap import Mapping


@dataclass(frozen=True)
class Entry:
    """One exported Go symbol and its fate."""

    name: str
    kind: str  # func, const, var, type
    status: str  # bridged, skipped
    go: str  # Go declaration
    python: str = ""  # Python signature or annotation, when bridged
    reason: str = ""  # why, when skipped
    category: str = ""  # short reason key, when skipped
    notes: tuple[str, ...] = ()  # non-obvious crossing decisions, when bridged

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "status": self.status, "go": self.go}
        if self.status == "bridged":
            out["python"] = self.python
            out["notes"] = list(self.notes)
        else:
            out["reason"] = self.reason
            out["category"] = self.category
        return out


@dataclass(frozen=True)
class PackageReport:
    path: str
    name: str
    module: str  # bundle.module
    entries: tuple[Entry, ...]
    summary: dict[str, Any] = field(default_factory=dict)


def _notes(mappings: list[Mapping]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for top in mappings:
        for m in top.walk():
            if m.note:
                seen.setdefault(f"{m.go_name}: {m.note}", None)
    return tuple(seen)


def _func_entry(fn: FuncPlan) -> Entry:
    mappings = [p.type for p in fn.params] + list(fn.results)
    notes = list(_notes(mappings))
    if fn.returns_error:
        notes.append("error: a non-nil error raises goffi.GoError")
    return Entry(fn.go_name, "func", "bridged", fn.go_signature, python=fn.py_signature(), notes=tuple(notes))


def package_report(plan: BundlePlan, pkg: PackagePlan) -> PackageReport:
    entries: list[Entry] = [_func_entry(f) for f in pkg.funcs]
    entries += [
        Entry(
            c.go_name,
            "const",
            "bridged",
            f"const {c.go_name} {c.go_type}",
            python=f"{c.py_name}: {c.py_type} = {c.py_literal}",
        )
        for c in pkg.consts
    ]
    entries += [
        Entry(
            v.go_name,
            "var",
            "bridged",
            f"var {v.go_name} {v.type.go_name}",
            python=f"{v.py_name}: {v.type.py_type('out')}  (read and assigned through Go)",
            notes=_notes([v.type]),
        )
        for v in pkg.vars
    ]
    entries += [
        Entry(
            t.go_name,
            "type",
            "bridged",
            f"type {t.go_name} {t.type.ref.go_spelling()}",
            python=f"values cross as {t.type.py_type('out')}",
            notes=_notes([t.type]),
        )
        for t in pkg.types
    ]
    entries += [
        Entry(s.go_name, s.kind, "skipped", s.go_signature, reason=s.reason, category=s.category)
        for s in pkg.skipped
    ]
    order = {"func": 0, "const": 1, "var": 2, "type": 3}
    entries.sort(key=lambda e: (order.get(e.kind, 9), e.name))
    skipped = Counter(e.category for e in entries if e.status == "skipped")
    summary = {
        "bridged": sum(1 for e in entries if e.status == "bridged"),
        "skipped": sum(skipped.values()),
        "skipped_by_reason": dict(sorted(skipped.items())),
    }
    return PackageReport(pkg.path, pkg.go_name, f"{plan.name}.{pkg.py_module}", tuple(entries), summary)


def report(plan: BundlePlan) -> list[PackageReport]:
    return [package_report(plan, p) for p in plan.packages]


def to_json(plan: BundlePlan) -> str:
    reports = report(plan)
    doc = {
        "go_version": plan.go_version,
        "packages": [
            {
                "path": r.path,
                "name": r.name,
                "module": r.module,
                "summary": r.summary,
                "symbols": [e.to_json() for e in r.entries],
            }
            for r in reports
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_KIND_TITLES = {"func": "functions", "const": "constants", "var": "variables", "type": "types"}


def to_text(plan: BundlePlan) -> str:
    lines: list[str] = []
    for r in report(plan):
        lines.append(f'package {r.name} ("{r.path}") -> Python module {r.module}')
        for kind, title in _KIND_TITLES.items():
            group = [e for e in r.entries if e.kind == kind]
            if not group:
                continue
            lines.append(f"  {title}:")
            for e in group:
                if e.status == "bridged":
                    lines.append(f"    bridged  {e.python}")
                    lines.extend(f"               note: {n}" for n in e.notes)
                else:
                    lines.append(f"    skipped  {e.go}")
                    lines.append(f"               why: {e.reason}")
        by_reason = ", ".join(f"{k}: {v}" for k, v in r.summary["skipped_by_reason"].items())
        summary = f"  summary: {r.summary['bridged']} bridged, {r.summary['skipped']} skipped"
        lines.append(summary + (f" ({by_reason})" if by_reason else ""))
        lines.append("")
    return "\n".join(lines)
