"""Printing the benchmark table (text or Markdown) and writing it as JSON.

The machine goes above the table, because a ratio is only comparable between runs on
the same machine, and absolute times only on the same machine and load.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from goffi.bench.model import PENDING, Result, Row


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    python: str
    go: str
    kernel: str
    date: str

    def lines(self) -> list[str]:
        return [
            f"machine: {self.cpu}, {self.cores} cores, Linux {self.kernel}",
            f"python:  {self.python}",
            f"go:      {self.go}",
            f"date:    {self.date}",
        ]


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (the first one; they are all the same here)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine(go_version: str) -> Machine:
    return Machine(
        cpu=cpu_model(),
        cores=os.cpu_count() or 0,
        python=f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        go=go_version,
        kernel=platform.release(),
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


# ---------------------------------------------------------------------------- values


def fmt_time(ns: float) -> str:
    if ns < 1_000:
        return f"{ns:.1f} ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.2f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.1f} ms"
    return f"{ns / 1e9:.2f} s"


def fmt_value(row: Row, result: Result) -> str:
    """A result in the row's unit: a time per operation, or a rate of the row's work."""
    if result.ns is None:
        return result.reason
    ns = max(result.ns, 1e-9)
    if row.unit == "MB/s":
        return f"{row.work / ns * 1e3:,.0f} MB/s"
    if row.unit == "items/s":
        return f"{row.work / ns * 1e3:,.1f} M items/s"
    if row.unit == "ms":
        return f"{ns / 1e6:.1f} ms"
    if row.unit == "s":
        return f"{ns / 1e9:.2f} s"
    if row.unit == "B/handle":
        return f"{result.ns:,.0f} B/handle"
    return fmt_time(ns)


def fmt_met(row: Row) -> str:
    met = row.met
    if met is None:
        return ""
    if met:
        return "yes"
    ratio = row.target_ratio()
    failed = [c.name for c in row.checks if not c.ok]
    why = []
    if ratio is not None and row.target is not None and ratio > row.target:
        why.append(f"+{(ratio / row.target - 1) * 100:.0f}% over")
    why += failed
    return "NO (" + ", ".join(why) + ")"


# ----------------------------------------------------------------------------- table

HEADER = ("case", "goffi", "baseline", "baseline value", "goffi/base", "target", "met")
TEXT_HEADER = ("case / contender", "median", "goffi/base", "target", "met")


def _overflows(cell: str) -> bool:
    """Reasons run to the end of their line instead of widening their column."""
    return cell.startswith(("not measured", "pending"))


def text_lines(row: Row) -> list[tuple[str, ...]]:
    """A case as a heading line and one line per contender: goffi first, then each baseline."""
    lines: list[tuple[str, ...]] = [(f"{row.case}: {row.title}",)]
    if row.status == PENDING or row.goffi is None:
        why = row.reason + (f"  [target: {row.target_text}]" if row.target_text else "")
        return [*lines, ("  " + why,)]
    lines.append(("  goffi", fmt_value(row, row.goffi), "", "" if row.baselines else row.target_text))
    for b in row.baselines:
        ratio = row.ratio(b)
        is_target = b.label == row.target_of
        lines.append(
            (
                "  " + b.label,
                fmt_value(row, b),
                f"{ratio:.2f}x" if ratio is not None else "",
                row.target_text if is_target else "",
                fmt_met(row) if is_target else "",
            )
        )
    return lines


def render_text(rows: Sequence[Row], header_lines: Sequence[str]) -> str:
    """The plain-text table; headings and reasons do not widen the columns."""
    body = [cells for row in rows for cells in text_lines(row)]
    widths = [len(h) for h in TEXT_HEADER]
    for cells in body:
        if len(cells) == 1:
            continue
        for i, cell in enumerate(cells[:-1]):
            if not _overflows(cell):
                widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == len(cells) - 1 or _overflows(cell):
                out.append(cell)
                break
            out.append(cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    parts = [*header_lines, "", line(TEXT_HEADER), rule]
    parts += [line(cells) for cells in body]
    parts.append(rule)
    parts += notes(rows)
    return "\n".join(parts) + "\n"


def markdown_cells(row: Row) -> list[tuple[str, ...]]:
    """A case as Markdown table lines: the first names the case and goffi's value, one per baseline."""
    case = f"`{row.case}` {row.title}"
    if row.status == PENDING or row.goffi is None:
        return [(case, row.reason, "", "", "", row.target_text, "")]
    goffi = fmt_value(row, row.goffi)
    if not row.baselines:
        return [(case, goffi, "", "", "", row.target_text, fmt_met(row))]
    lines: list[tuple[str, ...]] = []
    for i, b in enumerate(row.baselines):
        ratio = row.ratio(b)
        is_target = b.label == row.target_of
        lines.append(
            (
                case if i == 0 else "",
                goffi if i == 0 else "",
                b.label,
                fmt_value(row, b),
                f"{ratio:.2f}x" if ratio is not None else "",
                row.target_text if is_target else "",
                fmt_met(row) if is_target else "",
            )
        )
    return lines


def render_markdown(rows: Sequence[Row], header_lines: Sequence[str]) -> str:
    """The same table as Markdown, for the README."""
    out = [*(f"{h}  " for h in header_lines), ""]
    out.append("| " + " | ".join(HEADER) + " |")
    out.append("|" + "---|" * len(HEADER))
    for row in rows:
        for cells in markdown_cells(row):
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    out.append("")
    out += [f"- {n.strip()}" for n in notes(rows)[1:]]
    return "\n".join(out) + "\n"


def notes(rows: Sequence[Row]) -> list[str]:
    lines = ["notes:"]
    for row in rows:
        for c in row.checks:
            lines.append(f"  {row.case}: {c.text} ({'ok' if c.ok else 'MISSED'})")
        for n in row.notes:
            lines.append(f"  {row.case}: {n}")
    return lines if len(lines) > 1 else []


def to_json(
    rows: Sequence[Row], mach: Machine, settings: dict[str, Any], header_lines: Sequence[str] = ()
) -> str:
    data = {
        "machine": mach.__dict__,
        "settings": settings,
        "header": list(header_lines),  # the lines above the table, for --render
        "rows": [r.to_json() for r in rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_json(path: Path) -> tuple[list[Row], list[str]]:
    """The rows and header lines of a run's JSON file (to print its table again)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Row.from_json(r) for r in data["rows"]], list(data.get("header", []))


def write_json(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
