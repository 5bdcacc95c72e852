"""The state every case reads: settings, the loaded subjects, gopy's results, shared set-ups."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from goffi.bench.model import Result, not_measured
from goffi.bench.subjects import Subjects
from goffi.bench.timing import Contender, empty_loop, measure

LOOP = "empty loop"
_groups = itertools.count(1)  # tags the results of one interleaved measurement


@dataclass(frozen=True)
class Settings:
    quick: bool
    reps: int  # repetitions per contender (medians are over these)
    target_ns: int  # how long one repetition should last
    bytes_size: int  # the []byte case's buffer
    floats_n: int  # the []float64 case's length
    load_reps: int  # new-process cases: processes started per contender
    handles_n: int  # the memory case's live handle objects
    gopy: bool  # measure the gopy baseline (installs gopy and pybindgen)
    cold: bool = False  # run the cases that empty Go's build cache (minutes of CPU)

    @classmethod
    def make(cls, quick: bool, gopy: bool, reps: int | None = None, cold: bool = False) -> Settings:
        if quick:
            return cls(True, reps or 1, 0, 64 << 10, 1_000, reps or 1, 1_000, gopy, cold)
        return cls(False, reps or 15, 20_000_000, 64 << 20, 1_000_000, reps or 15, 1_000_000, gopy, cold)


@dataclass
class GopyOutcome:
    """gopy's per-case results (from its own process), or the one reason there are none."""

    results: dict[str, Result] = field(default_factory=dict)
    reason: str = "run with --gopy to measure it"
    note: str = ""  # which gopy, and how it was installed (for the header)

    def get(self, case: str) -> Result:
        return self.results.get(case) or not_measured("gopy", self.reason)


@dataclass
class Bench:
    settings: Settings
    subjects_factory: Callable[[], Subjects]
    gopy: GopyOutcome = field(default_factory=GopyOutcome)
    _subjects: Subjects | Exception | None = None
    shared: dict[str, object] = field(default_factory=dict)  # set-ups several cases reuse
    scratch: Path | None = None  # a temporary directory for the run
    loop_ns: list[float] = field(default_factory=list)  # the empty loop's medians, for the header

    @property
    def subjects(self) -> Subjects:
        """The bench bundle and its baselines, loaded on first use (process-only runs skip it)."""
        if self._subjects is None:
            try:
                self._subjects = self.subjects_factory()
            except Exception as e:  # every in-process case reports it; build once, not per case
                self._subjects = e
        if isinstance(self._subjects, Exception):
            raise self._subjects
        return self._subjects

    def timed(self, contenders: Sequence[Contender], *, per_call: bool = True) -> dict[str, Result]:
        """Measure contenders together; see :func:`measure_results`."""
        results, loop = measure_results(contenders, self.settings, per_call=per_call)
        if loop is not None:
            self.loop_ns.append(loop)
        return results


def measure_results(
    contenders: Sequence[Contender], settings: Settings, *, per_call: bool
) -> tuple[dict[str, Result], float | None]:
    """Measure contenders in interleaved rounds; per-call cases are reported net of the loop.

    The empty loop is measured in the same rounds and its time per iteration in each
    round is subtracted from that round's samples (its median is returned, for the
    header), so a ratio compares the calls, not the benchmark's own loop. Quick runs (a
    single call each) are too short for that to mean anything. All results share one
    ``group`` tag, so :meth:`Row.ratio` pairs their samples round by round.
    """
    subtract = per_call and not settings.quick
    entries = [*contenders, Contender(LOOP, empty_loop)] if subtract else list(contenders)
    fixed = 1 if settings.quick else None
    samples = measure(entries, reps=settings.reps, target_ns=settings.target_ns, fixed_n=fixed)
    loop = samples[LOOP].ns_per_op if subtract else [0.0] * settings.reps
    group = f"run{next(_groups)}"
    results = {}
    for c in contenders:
        net = [x - lp for x, lp in zip(samples[c.label].ns_per_op, loop, strict=False)]
        results[c.label] = Result(
            label=c.label,
            ns=statistics.median(net),
            samples=net,
            per_rep=samples[c.label].per_call,
            group=group,
        )
    return results, (statistics.median(loop) if subtract else None)
