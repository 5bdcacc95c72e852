"""The benchmark table's data: one :class:`Row` per case, whatever its status.

Every row has the same shape whether it was measured, is pending a goffi feature, or
could not be measured here, so the printed table and the JSON keep their final form
while features land: turning a pending row into a measured one changes its values,
not the layout.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["measured", "pending", "not measured"]
#: How a row's values are shown: per operation, or as a rate of ``Row.work`` per op;
#: "B/handle" rows hold bytes per handle (a memory case) where the others hold ns.
Unit = Literal["ns/op", "MB/s", "items/s", "ms", "s", "B/handle"]

MEASURED: Status = "measured"
PENDING: Status = "pending"
NOT_MEASURED: Status = "not measured"


@dataclass
class Result:
    """One contender's outcome in a row: a median time per operation, or why there is none."""

    label: str
    ns: float | None = None  # median ns per operation (net of the harness loop where the row says so);
    # in a "B/handle" row, bytes per handle instead
    samples: list[float] = field(default_factory=list)  # ns per operation, one per repetition
    per_rep: int = 0  # operations timed per repetition
    reason: str = ""  # set when ns is None: "not measured: ..."
    group: str = ""  # results of one interleaved measurement share it: their samples pair up by round


@dataclass
class Check:
    """A pass/fail condition of a row besides its time ratio (e.g. no proportional allocation)."""

    name: str
    ok: bool
    text: str


@dataclass
class Row:
    """One benchmark case: goffi's result, its baselines, and the target from issue 5."""

    case: str  # the id --cases matches
    title: str
    status: Status = MEASURED
    unit: Unit = "ns/op"
    work: float = 0.0  # bytes (MB/s) or items (items/s) per operation
    goffi: Result | None = None
    baselines: list[Result] = field(default_factory=list)
    target_of: str | None = None  # label of the baseline the target ratio is against
    target: float | None = None  # the largest goffi/baseline ratio that meets the target (None: checks only)
    target_text: str = ""  # the target as the issue states it
    reason: str = ""  # pending / not measured: why
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    judged: bool = True  # False in --quick runs: one call each decides nothing

    def ratio(self, baseline: Result) -> float | None:
        """goffi's time over the baseline's (below 1: goffi is faster).

        When both were measured in the same rounds, it is the median of the per-round
        ratios: a round runs every contender back to back, so a slow phase of the
        machine (another process, frequency changes) scales both sides of a ratio
        alike, where it would skew a ratio of two medians.
        """
        g = self.goffi
        if g is None or g.ns is None or baseline.ns is None or baseline.ns <= 0:
            return None
        if g.group and g.group == baseline.group and len(g.samples) == len(baseline.samples):
            paired = [a / b for a, b in zip(g.samples, baseline.samples, strict=True) if b > 0]
            if paired:
                return statistics.median(paired)
        return g.ns / baseline.ns

    def target_ratio(self) -> float | None:
        for b in self.baselines:
            if b.label == self.target_of:
                return self.ratio(b)
        return None

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None when the row has no target or no measurement.

        A row whose target is only its checks (no ratio, e.g. "no growth after
        release") is met when every check passes.
        """
        if self.status != MEASURED or not self.judged:
            return None
        if self.target is None:
            return all(c.ok for c in self.checks) if self.checks else None
        ratio = self.target_ratio()
        if ratio is None:
            return None
        return ratio <= self.target and all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["met"] = self.met
        data["ratios"] = {b.label: self.ratio(b) for b in self.baselines}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        """The row :meth:`to_json` wrote (its computed ``met`` and ``ratios`` are recomputed)."""
        fields = {k: v for k, v in data.items() if k not in ("met", "ratios")}
        goffi = fields["goffi"]
        fields["goffi"] = Result(**goffi) if goffi is not None else None
        fields["baselines"] = [Result(**b) for b in fields["baselines"]]
        fields["checks"] = [Check(**c) for c in fields["checks"]]
        return cls(**fields)


def not_measured(label: str, reason: str) -> Result:
    """A baseline (or goffi result) that could not be measured, with the one-line reason."""
    return Result(label=label, reason=f"not measured: {reason}")
