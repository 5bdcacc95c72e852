"""What the generics stage decides, as frozen data: each type parameter's candidates, the
instantiations made, and a generic function's plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from goffi.surface.model import TypeRef

if TYPE_CHECKING:
    from goffi.plan.model import FuncPlan


#: At most this many instantiations of one function (the product of its parameters' choices).
MAX_INSTANCES = 12


Probe = Literal["value", "elems", "keys", "values", "varargs", "iter", "iterkeys", "itervalues"]


@dataclass(frozen=True)
class Candidate:
    """One type a type parameter may be instantiated with, and the kind of Python value it serves."""

    type: TypeRef
    group: str  # "any", "int", "float", "string", "complex", "bool"


@dataclass(frozen=True)
class TypeParamDecision:
    """How one type parameter is instantiated (shown by goffi inspect)."""

    name: str
    constraint: str  # Go's spelling
    kind: Literal["any", "basic", "derived", "none"]
    candidates: tuple[Candidate, ...]  # kind any/basic
    derived: TypeRef | None  # kind derived: the core type, in terms of the other parameters
    reason: str  # why these candidates, or why none
    # Where the dispatcher looks to choose among several candidates: (argument index, what).
    probe: tuple[int, Probe] | None = None
    comparable: bool = False  # kind any from comparable: may fall back to representatives

    @property
    def falls_back(self) -> bool:
        """Whether ``any`` was chosen for a comparable parameter (a map key needs representatives)."""
        return self.kind == "any" and self.comparable


@dataclass(frozen=True)
class Instantiation:
    """One instantiation: type arguments for every type parameter, and the kind it serves."""

    type_args: tuple[TypeRef, ...]  # one per type parameter, in order
    groups: tuple[str, ...]  # the chosen group of each type parameter ("" for derived ones)


@dataclass(frozen=True)
class InstancePlan:
    """One instantiation of a generic function, planned like any function."""

    instantiation: Instantiation
    func: FuncPlan  # its type_args set; py_name private when the function has several
    # Asked for by goffi.load(instantiate=...) (the request as written), "" if automatic:
    # called by its type arguments only (f["int32"]), never chosen by the dispatcher.
    requested: str = ""

    @property
    def go_type_args(self) -> str:
        """Go's spelling of the type arguments: "[[]int64, int64]"."""
        return "[" + ", ".join(a.go_spelling() for a in self.instantiation.type_args) + "]"


@dataclass(frozen=True)
class GenericPlan:
    """A generic Go function: the instantiations made (and why), or none and why not."""

    go_name: str
    py_name: str
    go_signature: str
    doc: str
    pos: str
    type_params: tuple[TypeParamDecision, ...]
    instances: tuple[InstancePlan, ...]
    # Instantiations planned but dropped (a type the table cannot carry): (type args, reason).
    dropped: tuple[tuple[str, str], ...] = ()

    @property
    def automatic(self) -> tuple[InstancePlan, ...]:
        """The instantiations the dispatcher chooses among (not the requested ones)."""
        return tuple(i for i in self.instances if not i.requested)

    @property
    def dispatched(self) -> tuple[int, ...]:
        """Indexes of the type parameters the dispatcher chooses (more than one candidate left)."""
        out = []
        for i in range(len(self.type_params)):
            groups = {inst.instantiation.groups[i] for inst in self.automatic}
            if len(groups) > 1:
                out.append(i)
        return tuple(out)
