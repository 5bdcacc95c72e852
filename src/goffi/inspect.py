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

from goffi.generics.plans import GenericPlan
from goffi.plan.model import BundlePlan, ClassPlan, FuncPlan, PackagePlan
from goffi.proxies import ERROR_MAPPING
from goffi.typemap.decisions import ClassNamer, Mapping, zero_copy_form


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
    # (parameter, verdict): whether Go gets a view or its own copy of an argument's
    # memory, and why (ParamPlan.kept, from Go's escape analysis), for each parameter
    # whose memory goffi could lend
    memory: tuple[tuple[str, str], ...] = ()
    # (parameter, verdict): whether Go may write into a slice parameter, and why
    # (ParamPlan.writes, from goffi.mutation's analysis of the Go code)
    mutation: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "status": self.status, "go": self.go}
        if self.status == "bridged":
            out["python"] = self.python
            out["notes"] = list(self.notes)
            if self.memory:
                out["memory"] = dict(self.memory)
            if self.mutation:
                out["mutation"] = dict(self.mutation)
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
    requested: bool = True  # False: a package whose types the API uses, not asked for itself


def _notes(mappings: list[Mapping]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for top in mappings:
        for m in top.walk():
            if m.note:
                seen.setdefault(f"{m.go_name}: {m.note}", None)
    return tuple(seen)


def _go_func_notes(plan: BundlePlan, mappings: list[Mapping]) -> list[str]:
    """For each func type in mappings, the bundle's functions that pass as themselves."""
    out: dict[str, None] = {}
    for top in mappings:
        for m in top.walk():
            if m.shape != "func":
                continue
            same = [f"{fn.pkg_name}.{fn.go_name}" for _, fn in plan.func_type(m.go_name).go_funcs]
            if same:
                out.setdefault(f"{m.go_name}: {', '.join(same)} pass as the Go functions themselves", None)
    return list(out)


def _func_entry(fn: FuncPlan, namer: ClassNamer, prefix: str = "", plan: BundlePlan | None = None) -> Entry:
    mappings = [p.type for p in fn.params] + list(fn.results)
    notes = list(_notes(mappings))
    if plan is not None:
        notes += _go_func_notes(plan, [p.type for p in fn.params])
    for p in fn.params:  # Python objects as Go interfaces (goffi.proxies)
        proxy = plan.proxy(p.type.cls) if plan is not None and p.type.via == "interface" else None
        if proxy is not None:
            notes.append(f"parameter {p.go_name or p.py_name} ({proxy.key}): {proxy.needs}; {ERROR_MAPPING}")
    if fn.returns_error:
        notes.append("error: a non-nil error raises goffi.GoError")
    for i, why in enumerate(fn.never_nil):  # typed T, not T | None (goffi.plan.verdicts.apply_nil)
        if why:
            notes.append(f"result {i} ({fn.results[i].go_name}): {why}")
    if fn.interruptible:
        notes.append("context.Context first: Ctrl-C cancels the context it gets and raises KeyboardInterrupt")
    if fn.holds_gil:
        notes.append("declared non-blocking: called with the GIL held")
    if fn.zero_copy:
        notes.append("declared zero-copy: its slices that Go does not keep are views (see memory)")
    kind = "method" if fn.receiver is not None else "func"
    memory = []
    for p in fn.params:
        verdict = p.memory
        if not verdict and fn.zero_copy and p.kept and not p.variadic and zero_copy_form(p.type) is not None:
            verdict = f"Go's own copy, not a view: Go may keep it ({p.kept_why})"
        if p.writes_back:
            verdict = (verdict or "Go's own copy") + (
                ", written back: after the call a list gets Go's values where they differ, "
                "and a writable buffer of the items' format is written over"
            )
        if p.decodes:
            verdict = (
                "Go decodes into it: a dict, list or record gets Go's result in place "
                f"(Go gets a pointer to its copy; {p.decodes})"
            )
        if p.map_writes:
            verdict = (verdict + "; " if verdict else "") + (
                f"Go writes into the map: a dict gets Go's map's contents after the call ({p.map_writes})"
            )
        if verdict:
            memory.append((p.go_name or p.py_name, verdict))
    receiver = fn.receiver
    if receiver is not None and receiver.write_back:
        notes.append(
            "the receiver is the Python list/dict itself: Go runs on a copy and the receiver as Go "
            "leaves it is copied back into the object, so changes Go makes are seen"
        )
    elif receiver is not None and receiver.via == "record" and "(*" in fn.go_signature:
        what = "a record" if receiver.record is None or not receiver.record.named else "an immutable value"
        notes.append(f"a pointer method on {what}: Go runs it on a copy, so changes it makes are not kept")
    return Entry(
        prefix + fn.go_name,
        kind,
        "bridged",
        fn.go_signature,
        python=prefix + fn.py_signature(namer),
        notes=tuple(notes),
        memory=tuple(memory),
        mutation=tuple((p.go_name or p.py_name, p.mutation) for p in fn.params if p.mutation),
    )


def _generic_entry(g: GenericPlan, namer: ClassNamer, qualified: str) -> Entry:
    """A generic function: each type parameter's decision, each instantiation made (and dropped)."""
    notes = [f"type parameter {d.name} {d.reason}" for d in g.type_params]
    dispatched = g.dispatched
    if dispatched:
        looks = []
        for i in dispatched:
            d = g.type_params[i]
            where = (
                f"argument {d.probe[0] + 1} ({d.probe[1]})" if d.probe else "nothing (the first one is used)"
            )
            looks.append(f"{d.name} by {where}")
        notes.append("Python picks the instantiation by its arguments: " + "; ".join(looks))
    pythons = []
    for inst in g.instances:
        fn = inst.func
        sig = fn.py_signature(namer).replace(fn.py_name, g.py_name, 1)
        pythons.append(sig)
        why = f" (requested: instantiate={[inst.requested]!r})" if inst.requested else ""
        notes.append(f"instantiated {qualified}{inst.go_type_args}{why}: {sig}")
        notes += [n for n in _func_entry(fn, namer).notes if n not in notes]
    notes += [f"not instantiated {args}: {why}" for args, why in g.dropped]
    return Entry(g.go_name, "func", "bridged", g.go_signature, python=" | ".join(pythons), notes=tuple(notes))


def _class_entries(plan: BundlePlan, cls: ClassPlan, namer: ClassNamer) -> list[Entry]:
    what = {
        "handle": "handle class",
        "record": "record class (copied)",
        "interface": "interface class",
        "value": f"value class, {'an' if cls.value_base == 'int' else 'a'} {cls.value_base} subclass (copied)",
    }[cls.kind]
    if cls.shared:
        what = "handle class (Go's memory, compared by fields)"
    if cls.reason.startswith("opaque: "):
        what = "opaque class (holds a Go value it cannot look into)"
    specials = [
        name
        for name, present in (
            ("__str__ (String/Error)", cls.string_method),
            ("__len__ (Len)", cls.len_method),
            ("with (Close)", cls.close_method),
        )
        if present is not None
    ]
    entries = [
        Entry(
            cls.go_name,
            "type",
            "bridged",
            f"type {cls.go_name}",
            python=f"class {namer(cls.key)}: {what}",
            notes=(
                f"why: {cls.reason}",
                *(["python protocols: " + ", ".join(specials)] if specials else []),
                *(["members: " + ", ".join(name for name, _ in cls.members)] if cls.members else []),
                *(
                    [
                        "passes as "
                        + ", ".join(namer(k) for k in cls.implements)
                        + " (Go gets a copy of its value)"
                    ]
                    if cls.implements
                    else []
                ),
            ),
        )
    ]
    prefix = cls.go_name + "."
    entries += [_func_entry(m, namer, prefix, plan) for m in cls.methods]
    entries += [
        Entry(
            prefix + f.go_name,
            "field",
            "bridged",
            f"{f.go_name} {f.type.go_name}",
            python=f"{prefix}{f.py_name}: {f.type.py_type('out', namer)}  "
            + (
                "(attribute, type-checked on assignment)"
                if cls.kind == "record"
                else "(property, read and assigned through Go)"
            ),
            notes=_notes([f.type]),
        )
        for f in cls.fields
    ]
    entries += [
        Entry(prefix + s.go_name, s.kind, "skipped", s.go_signature, reason=s.reason, category=s.category)
        for s in cls.skipped
    ]
    return entries


def package_report(plan: BundlePlan, pkg: PackagePlan) -> PackageReport:
    namer = plan.class_namer()
    entries: list[Entry] = [_func_entry(f, namer, plan=plan) for f in pkg.funcs]
    entries += [_generic_entry(g, namer, f"{pkg.go_name}.{g.go_name}") for g in pkg.generics]
    entries += [
        Entry(
            c.go_name,
            "const",
            "bridged",
            f"const {c.go_name} {c.go_type}",
            python=(
                f"{c.py_name}: {namer(c.named)} = {namer(c.named)}({c.py_literal})"
                if c.named
                else f"{c.py_name}: {c.py_type} = {c.py_literal}"
            ),
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
            python=f"{t.go_name}: values cross as {t.type.py_type('out')}",
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
    for cls in pkg.classes:  # each class with its members, in class name order
        entries += _class_entries(plan, cls, namer)
    module = f"{plan.name}.{pkg.py_module}"
    for sentinel in pkg.sentinels:
        bases = "goffi.GoError" + (f", {sentinel.builtin}" if sentinel.builtin else "")
        entries.append(
            Entry(
                sentinel.go_name,
                "error",
                "bridged",
                f"var {sentinel.go_name} error",
                python=f"class {module}.{sentinel.py_name}({bases})",
                notes=("a sentinel: raised errors that match it (errors.Is) are instances of its class",),
            )
        )
    for error_type in pkg.error_types:
        star = "*" if error_type.pointer else ""
        entries.append(
            Entry(
                error_type.go_name,
                "error",
                "bridged",
                f"type {star}{error_type.go_name} implements error",
                python=f"class {module}.{error_type.py_name}(goffi.GoError)",
                notes=(
                    "raised errors holding one in their chain (errors.As) are instances; its fields read on them",
                ),
            )
        )
    skipped = Counter(e.category for e in entries if e.status == "skipped")
    summary = {
        "bridged": sum(1 for e in entries if e.status == "bridged"),
        "skipped": sum(skipped.values()),
        "skipped_by_reason": dict(sorted(skipped.items())),
    }
    return PackageReport(
        pkg.path,
        pkg.go_name,
        f"{plan.name}.{pkg.py_module}",
        tuple(entries),
        summary,
        requested=pkg.requested,
    )


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
                "requested": r.requested,
                "summary": r.summary,
                "symbols": [e.to_json() for e in r.entries],
            }
            for r in reports
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_KIND_TITLES = {
    "func": "functions",
    "const": "constants",
    "var": "variables",
    "type": "types and their members",
    "error": "errors (exception classes)",
}


def to_text(plan: BundlePlan) -> str:
    lines: list[str] = []
    for r in report(plan):
        source = "" if r.requested else "  (types the API uses)"
        lines.append(f'package {r.name} ("{r.path}") -> Python module {r.module}{source}')
        for kind, title in _KIND_TITLES.items():
            members = ("method", "field") if kind == "type" else ()
            group = [e for e in r.entries if e.kind == kind or e.kind in members]
            if not group:
                continue
            lines.append(f"  {title}:")
            for e in group:
                if e.status == "bridged":
                    lines.append(f"    bridged  {e.python}")
                    lines.extend(f"               note: {n}" for n in e.notes)
                    lines.extend(f"               memory of {name}: {v}" for name, v in e.memory)
                    lines.extend(f"               writes to {name}: {v}" for name, v in e.mutation)
                else:
                    lines.append(f"    skipped  {e.go}")
                    lines.append(f"               why: {e.reason}")
        by_reason = ", ".join(f"{k}: {v}" for k, v in r.summary["skipped_by_reason"].items())
        summary = f"  summary: {r.summary['bridged']} bridged, {r.summary['skipped']} skipped"
        lines.append(summary + (f" ({by_reason})" if by_reason else ""))
        lines.append("")
    return "\n".join(lines)
