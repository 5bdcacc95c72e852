"""Generic functions and range-over-func iterators: which instantiations a bundle makes, and why.

Part of the planning stage (used by :mod:`goffi.plan`). A generic Go function cannot be
called without type arguments, so goffi instantiates it with types its type table
carries, and Python picks the instantiation by its arguments:

- a type parameter constrained by ``any`` or ``comparable`` (no type-set terms) is
  instantiated with ``any``: values cross by their dynamic type. When ``any`` cannot
  carry it (a map key), a ``comparable`` one falls back to representatives;
- a type parameter whose constraint has a type set of basic types (``cmp.Ordered``,
  ``~int | ~float64``, ``constraints.Integer``) is instantiated for one representative
  of each kind of Python value the set allows: ``int64`` (else the widest allowed
  integer), ``float64``, ``string``, ``complex128``, ``bool``;
- a type parameter whose constraint is a single term (``S ~[]E``, ``M ~map[K]V``) is
  *derived*: it is instantiated with that term's type, once the others are chosen;
- anything else (a constraint with methods, a union of composite types) is not
  instantiated, and ``goffi inspect`` says why.

Each instantiation is planned like an ordinary function (a :class:`~goffi.plan.FuncPlan`
whose ``type_args`` the Go wrapper spells: ``slices.Max[[]int64, int64]``). Python calls
a dispatcher (:mod:`goffi.runtime.generic`) that looks at the arguments bound to each
type parameter with several instantiations (ints -> int64, any float -> float64, str ->
string) and calls the matching one.

``iter.Seq[V]`` and ``iter.Seq2[K, V]`` (as a function's own parameter or result) cross
as func types the existing callback machinery carries: a parameter is ``func() []V``
(Go pulls one item per call from a Python iterable; an empty list ends it) and a result
is ``func(int) ([]V, bool)`` (Python pulls one item per call from a goroutine running it; 0
stops the sequence, -1 takes every remaining item at once: rt.PullSeq). The Python module wraps both (:mod:`goffi.runtime.generic`).

Module by module: :mod:`~goffi.generics.plans` (the decisions, as data),
:mod:`~goffi.generics.choice` (the automatic instantiations), :mod:`~goffi.generics.substitution`
(type arguments in place; generic types instantiated), :mod:`~goffi.generics.iterators`
(``iter.Seq``) and :mod:`~goffi.generics.requested` (``instantiate=``).
"""

from __future__ import annotations

from goffi.generics.choice import (
    decide_type_param,
    find_probe,
    instantiations,
    mentions,
    with_comparable_fallback,
)
from goffi.generics.iterators import is_seq, map_seq
from goffi.generics.plans import (
    MAX_INSTANCES,
    Candidate,
    GenericPlan,
    InstancePlan,
    Instantiation,
    Probe,
    TypeParamDecision,
)
from goffi.generics.requested import (
    HOW_TO_REQUEST,
    Request,
    TypeResolver,
    identical,
    method_set,
    parse_request,
    resolve_request,
    satisfies,
    split_type_list,
    underlying,
    unify,
)
from goffi.generics.substitution import instance_base, instantiate_named, substitute

__all__ = [
    "HOW_TO_REQUEST",
    "MAX_INSTANCES",
    "Candidate",
    "GenericPlan",
    "InstancePlan",
    "Instantiation",
    "Probe",
    "Request",
    "TypeParamDecision",
    "TypeResolver",
    "decide_type_param",
    "find_probe",
    "identical",
    "instance_base",
    "instantiate_named",
    "instantiations",
    "is_seq",
    "map_seq",
    "mentions",
    "method_set",
    "parse_request",
    "resolve_request",
    "satisfies",
    "split_type_list",
    "substitute",
    "underlying",
    "unify",
    "with_comparable_fallback",
]
