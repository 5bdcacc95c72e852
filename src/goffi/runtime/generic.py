"""Generic Go functions and range-over-func iterators, on the Python side of a bundle.

The plan (:mod:`goffi.generics`) instantiates a generic Go function once per kind of
Python value it accepts; a bundle module binds the function's name to a
:class:`Generic` dispatcher that looks at the arguments and calls the matching
instantiation (a builtin of the native module). ``iter.Seq``/``iter.Seq2`` cross as Go
funcs: :func:`iterating` wraps a builtin so that such a parameter takes any Python
iterable and such a result is a lazy Python iterator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Mapping as _Mapping

# A bundle with iterators or generic functions imports this module when it loads: typing
# is for type checkers only (annotations are strings here).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Generic", "GoIterator", "iterating", "pull_source", "pulled"]

_STOP: Any = object()


def pulled(pull: Any, pairs: bool) -> Iterator[Any]:
    """A lazy iterator over a Go sequence (see :class:`GoIterator`)."""
    if pull is None:  # a nil Go sequence: nothing to iterate
        return iter(())
    return GoIterator(pull, pairs)


class GoIterator:
    """A Go sequence (iter.Seq, iter.Seq2) as a Python iterator.

    ``pull(1)`` gives Go's next item (a one-item list, two for pairs), ``pull(0)`` stops Go's
    sequence, ``pull(-1)`` gives every remaining item at once. Items come one at a time, each
    produced when asked for; stopping happens when the loop ends, is left early (break, an
    exception) or the iterator is collected. A consumer that takes every item and says so by
    asking for a length hint first (``list()``, ``tuple()``, ``sorted()``, ``list.extend``)
    gets the rest in one call: Go runs the sequence on the calling thread, with no hand-over
    per item. An exception (a Go panic) raised then is raised by the next ``__next__``.
    """

    __slots__ = ("_done", "_error", "_pairs", "_pull", "_rest")

    def __init__(self, pull: Callable[[int], Any], pairs: bool) -> None:
        self._pull = pull
        self._pairs = pairs
        self._rest: list[Any] = []  # items taken at once, last first
        self._error: BaseException | None = None
        self._done = False

    def __iter__(self) -> GoIterator:
        return self

    def __next__(self) -> Any:
        if self._rest:
            return self._rest.pop()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._done:
            raise StopIteration
        try:
            if self._pairs:
                keys, values, ok = self._pull(1)
                if ok:
                    return keys[0], values[0]
            else:
                items, ok = self._pull(1)
                if ok:
                    return items[0]
        except BaseException:
            self._done = True
            raise
        self._done = True
        raise StopIteration

    def __length_hint__(self) -> int:
        if not self._done:
            self._done = True
            try:
                if self._pairs:
                    keys, values, _ = self._pull(-1)
                    items = list(zip(keys, values, strict=True))
                else:
                    items, _ = self._pull(-1)
            except BaseException as e:  # raised where the items are taken, as one at a time would
                self._error = e
                return 0
            items.reverse()
            self._rest = items + self._rest
        return len(self._rest)

    def close(self) -> None:
        """Stops Go's sequence (its yield returns false, so it returns)."""
        if not self._done:
            self._done = True
            self._pull(0)

    def __del__(self) -> None:
        self.close()


def pull_source(iterable: Any, pairs: bool, where: str) -> Callable[[], Any]:
    """The callable Go pulls a Python iterable through: one item per call, as a
    one-item list (``([k], [v])`` for pairs), and an empty list when it is exhausted."""
    if callable(iterable) and not isinstance(iterable, Iterable):  # a Go func passed back
        return iterable  # type: ignore[no-any-return]
    if pairs and isinstance(iterable, _Mapping):
        iterable = iterable.items()
    try:
        it = iter(iterable)
    except TypeError:
        raise TypeError(f"{where} must be iterable, not {type(iterable).__name__}") from None
    if pairs:

        def pull_pairs() -> tuple[list[Any], list[Any]]:
            item = next(it, _STOP)
            if item is _STOP:
                return [], []
            try:
                k, v = item
            except (TypeError, ValueError):
                raise TypeError(f"{where}: items must be (key, value) pairs, got {item!r}") from None
            return [k], [v]

        return pull_pairs

    def pull() -> list[Any]:
        item = next(it, _STOP)
        return [] if item is _STOP else [item]

    return pull


def iterating(
    fn: Any, qualified: str, params: tuple[str, ...], results: tuple[str, ...]
) -> Callable[..., Any]:
    """``fn`` (a builtin) with its iter.Seq parameters taking iterables and its iter.Seq
    results given as iterators. ``params``/``results`` hold "seq", "seq2" or "" per position;
    a variadic tail has no kind (it is never a sequence)."""
    inputs = tuple((i, k == "seq2") for i, k in enumerate(params) if k)
    outputs = tuple((i, k == "seq2") for i, k in enumerate(results) if k)
    single = len(results) == 1

    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args, kwargs = fold_keywords(fn, args, kwargs)
        if inputs:
            args_list = list(args)
            for i, pairs in inputs:
                if i < len(args_list):
                    args_list[i] = pull_source(args_list[i], pairs, f"{qualified}() argument {i + 1}")
            args = tuple(args_list)
        out = fn(*args, **kwargs)
        if not outputs:
            return out
        if single:
            return pulled(out, outputs[0][1])
        values = list(out)
        for i, pairs in outputs:
            values[i] = pulled(values[i], pairs)
        return tuple(values)

    call.__name__ = getattr(fn, "__name__", qualified)
    call.__qualname__ = call.__name__
    call.__doc__ = getattr(fn, "__doc__", None)
    call.__wrapped__ = fn  # type: ignore[attr-defined]  # inspect.signature follows it
    return call


def fold_keywords(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Keyword arguments put in their places, by the Go parameter names of ``fn``'s signature,
    so that the dispatcher and the iterator wrappers see every argument by position.
    Misuse (an unknown or repeated name) raises Python's own TypeError."""
    import inspect  # only on this path: calls with keywords

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to read: the builtin decides
        return args, kwargs
    bound = sig.bind_partial(*args, **kwargs)
    return bound.args, bound.kwargs


_GROUP_OF: dict[type, str] = {bool: "bool", int: "int", float: "float", complex: "complex", str: "string"}


def _group_of(t: type) -> str:
    g = _GROUP_OF.get(t)
    if g is not None:
        return g
    for base, group in _GROUP_OF.items():
        if issubclass(t, base):
            return group
    if hasattr(t, "__index__"):  # numpy integers
        return "int"
    if hasattr(t, "__float__"):
        return "float"
    return "?" + t.__name__


_CHOSEN: dict[tuple[frozenset[type], tuple[str, ...]], str | None] = {}


def choose(types: Iterable[type], available: tuple[str, ...]) -> str | None:
    """The group a set of Python types asks for, among ``available`` (None: no fit); memoized."""
    key = (frozenset(types), available)
    found = _CHOSEN.get(key, _STOP)
    if found is _STOP:
        found = _choose(key[0], available)
        if len(_CHOSEN) < 4096:
            _CHOSEN[key] = found
    return found  # type: ignore[no-any-return]


def _choose(types: frozenset[type], available: tuple[str, ...]) -> str | None:
    groups = {_group_of(t) for t in types}
    if not groups:
        return available[0]
    if any(g.startswith("?") for g in groups):
        return None
    if groups == {"string"} or groups == {"bool"}:
        g = groups.pop()
        return g if g in available else None
    if "string" in groups:
        return None  # str mixed with numbers
    if groups <= {"int", "float", "complex"}:
        top = max(groups, key=_rank)
        for g in ("int", "float", "complex")[_rank(top) :]:
            if g in available:  # an int also fits a float, a float a complex
                return g
        return None
    return "int" if "int" in available else None  # bools mixed with ints: let Go's conversion decide


def _rank(g: str) -> int:
    return {"int": 0, "float": 1, "complex": 2}.get(g, 3)


class Generic:
    """A generic Go function: calls the instantiation that fits the arguments.

    ``probes`` lists, for each type parameter the dispatcher chooses, where to look:
    (argument index, what: "value", "elems", "keys", "values", "varargs", "iter", "iterkeys" or
    "itervalues") and
    the groups it has instantiations for. ``table`` maps a tuple of chosen groups to the
    instantiation; ``explicit`` maps Go's spelling of the type arguments to it, for
    ``F[int64]``-style explicit instantiation. ``spec`` is the function's import path + name
    ("slices.Max"), for the message saying how to request a missing instantiation.
    """

    def __new__(
        cls,
        qualified: str,
        doc: str,
        probes: tuple[tuple[int, str, tuple[str, ...]], ...],
        table: dict[tuple[str, ...], Callable[..., Any]],
        *args: Any,
        **kwargs: Any,
    ) -> Generic:
        if cls is Generic and not probes and len(table) == 1:
            # One instantiation to call: calls go straight to it (no Python frame on the way).
            only = next(iter(table.values()))
            cls = type("Generic", (Generic,), {"__call__": staticmethod(only), "__slots__": ()})
        return object.__new__(cls)

    def __init__(
        self,
        qualified: str,
        doc: str,
        probes: tuple[tuple[int, str, tuple[str, ...]], ...],
        table: dict[tuple[str, ...], Callable[..., Any]],
        explicit: dict[str, Callable[..., Any]],
        forms: str,
        spec: str = "",
    ) -> None:
        self.__name__ = self.__qualname__ = qualified.rsplit(".", 1)[-1]
        self.__doc__ = doc
        self._qualified = qualified
        self._probes = probes
        self._table = table
        self._explicit = explicit
        self._forms = forms
        self._spec = spec or qualified

    def __repr__(self) -> str:
        return f"<generic Go function {self._qualified} ({len(self._explicit_forms())} instantiations)>"

    def _explicit_forms(self) -> list[str]:
        seen: dict[int, str] = {}
        for k, fn in self._explicit.items():
            seen.setdefault(id(fn), k.replace(",", ", "))
        return list(seen.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._table:
            raise TypeError(
                f"{self._qualified}() has no instantiation Python chooses by the arguments; call one of "
                + ", ".join(f"{self.__name__}[{k!r}]" for k in self._explicit_forms())
            )
        if kwargs:  # every instantiation has the same parameter names
            args, kwargs = fold_keywords(next(iter(self._table.values())), args, kwargs)
        key = []
        for index, what, available in self._probes:
            types: Iterable[type]
            if what == "varargs":
                types = set(map(type, args[index:]))
            elif what == "none" or index >= len(args):  # nothing shows it: the first instantiation
                types = ()
            else:
                arg = args[index]
                if what == "value":
                    types = (type(arg),)
                elif what in ("iter", "iterkeys", "itervalues"):
                    # Peek at the first item (pairs for iter.Seq2), and put it back.
                    it = iter(arg.items() if what != "iter" and isinstance(arg, _Mapping) else arg)
                    first = next(it, _STOP)
                    if first is _STOP:
                        types = ()
                    elif what == "iter":
                        types = (type(first),)
                    else:
                        try:
                            types = (type(first[0 if what == "iterkeys" else 1]),)
                        except (TypeError, IndexError, KeyError):
                            types = ()  # not a pair: the conversion says so
                    rest = list(args)
                    rest[index] = it if first is _STOP else itertools.chain((first,), it)
                    args = tuple(rest)
                else:
                    try:
                        seq = arg.values() if what == "values" else arg
                        types = set(map(type, seq))
                    except (TypeError, AttributeError):
                        types = ()  # not a container: the instantiation's conversion says so
            g = choose(types, available)
            if g is None:
                spelled = ", ".join(sorted(t.__name__ for t in types)) or "nothing"
                raise TypeError(
                    f"{self._qualified}() has no instantiation for these arguments (argument {index + 1} "
                    f"holds {spelled}); accepted forms:\n{self._forms}"
                )
            key.append(g)
        fn = self._table.get(tuple(key))
        if fn is None:
            raise TypeError(
                f"{self._qualified}() has no instantiation for these arguments ({', '.join(key)}); "
                f"accepted forms:\n{self._forms}"
            )
        return fn(*args, **kwargs)

    def __getitem__(self, types: str | tuple[str, ...]) -> Callable[..., Any]:
        """Explicit instantiation, spelled as Go spells the type arguments: ``Max["int64"]``
        (the type parameters the dispatcher chooses) or ``Max["[]int64", "int64"]`` (all)."""
        spelled = ", ".join(types) if isinstance(types, tuple) else str(types)
        fn = self._explicit.get(spelled.replace(" ", ""))
        if fn is None:
            example = f"{self._spec}[{spelled}]"
            raise TypeError(
                f"{self._qualified}[{spelled}] was not instantiated in this bundle (instantiations built: "
                + ", ".join(f"[{k}]" for k in self._explicit_forms())
                + "). To build it, list it, spelled as Go spells it, in goffi.load(..., instantiate=["
                + repr(example)
                + "]), in instantiate = [...] under [tool.goffi] of pyproject.toml, or with goffi build "
                + f"--instantiate {example!r}"
            )
        return fn
