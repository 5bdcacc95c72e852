"""The bundle plan: every exported Go symbol, decided (bridged, with how) or skipped (with why).

Third stage of the pipeline: :func:`plan_bundle` turns a :class:`Surface` and the type
table's decisions into a :class:`BundlePlan`. The renderers and ``goffi inspect`` only
read this model. Symbols get stable, deterministic names here (export symbols, Python
identifiers), so that every renderer agrees on them without recomputing anything.

The stage, module by module:

- :mod:`~goffi.plan.model`: the frozen plan dataclasses (what the renderers read);
- :mod:`~goffi.plan.bundle`: the bundle decided, package by package (:mod:`~goffi.plan.packages`),
  callable by callable (:mod:`~goffi.plan.callables`), generic instantiations
  (:mod:`~goffi.plan.instances`), with Go's selector rule (:mod:`~goffi.plan.method_sets`)
  and Python names (:mod:`~goffi.plan.naming`);
- :mod:`~goffi.plan.verdicts`: the analyses' verdicts (kept, written, decoded, never nil);
- :mod:`~goffi.plan.policies`: the user's ``nonblocking=`` and ``zero_copy=``.
"""

from __future__ import annotations

from collections.abc import Sequence

from goffi.analysis import MemoryAnalysis
from goffi.decoding import DecodeAnalysis
from goffi.mutation import MutationAnalysis
from goffi.plan.bundle import IMPLICIT_PACKAGES, decide_bundle, needs_runtime
from goffi.plan.method_sets import method_set
from goffi.plan.model import (
    NIL_APART_SHAPES,
    PLAIN_SHAPES,
    BundlePlan,
    ClassPlan,
    ConstPlan,
    ErrorTypePlan,
    FieldPlan,
    FuncPlan,
    FuncTypePlan,
    PackagePlan,
    ParamPlan,
    ReceiverPlan,
    SentinelPlan,
    SkipPlan,
    TypePlan,
    VarPlan,
)
from goffi.plan.naming import instance_py_name, python_identifier, python_module_names
from goffi.plan.policies import apply_policy, callable_names, hold_gil, lend_slices
from goffi.plan.verdicts import apply_decodes, apply_memory, apply_mutation, apply_nil
from goffi.surface.model import Surface

__all__ = [
    "IMPLICIT_PACKAGES",
    "NIL_APART_SHAPES",
    "PLAIN_SHAPES",
    "BundlePlan",
    "ClassPlan",
    "ConstPlan",
    "ErrorTypePlan",
    "FieldPlan",
    "FuncPlan",
    "FuncTypePlan",
    "PackagePlan",
    "ParamPlan",
    "ReceiverPlan",
    "SentinelPlan",
    "SkipPlan",
    "TypePlan",
    "VarPlan",
    "callable_names",
    "instance_py_name",
    "method_set",
    "needs_runtime",
    "plan_bundle",
    "python_identifier",
    "python_module_names",
]


def plan_bundle(
    surface: Surface,
    name: str = "gopkgs",
    requested: Sequence[str] | None = None,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    memory: MemoryAnalysis | None = None,
    decodes: DecodeAnalysis | None = None,
    mutation: MutationAnalysis | None = None,
    instantiate: Sequence[str] = (),
) -> BundlePlan:
    """Decide every exported symbol of every requested package in ``surface``.

    Packages of the surface that were not requested (IMPLICIT_PACKAGES) contribute only
    their sentinel errors and error types. ``nonblocking`` names functions and methods
    ("strings.ToUpper", "example.com/p.Counter.Inc") to call with the GIL held;
    ``zero_copy`` names those whose numeric slices cross as views (zero_copy_form).
    ``memory`` (goffi.analysis) says which parameters Go may keep after the call; without
    it every parameter counts as kept, so Go gets its own copy of everything.
    ``decodes`` (goffi.decoding) says which any parameters Go decodes into; without it,
    none does. ``mutation`` (goffi.mutation) says which slice parameters Go may write
    into; without it, every one may be written. ``instantiate`` lists instantiations of
    generic functions to make besides the automatic ones, spelled as Go spells them
    ("slices.Max[[]int32]", goffi.generics.Request); a SpecError says why one cannot be made.
    """
    plan = decide_bundle(surface, name, requested, instantiate)
    plan = apply_memory(plan, memory or MemoryAnalysis(problem="not analysed"))
    plan = apply_nil(plan, decodes or DecodeAnalysis())
    plan = apply_mutation(plan, mutation or MutationAnalysis(problem="not analysed"))
    if decodes is not None and (decodes.funcs or decodes.map_writes):
        plan = apply_decodes(plan, decodes)
    if nonblocking:
        plan = apply_policy(plan, "nonblocking", nonblocking, hold_gil)
    if zero_copy:
        plan = apply_policy(plan, "zero_copy", zero_copy, lend_slices)
    return plan
