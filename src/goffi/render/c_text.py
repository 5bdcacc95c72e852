"""C spellings shared by the C glue's renderers: string literals, docstrings, const pointers."""

from __future__ import annotations

from goffi.plan.model import ClassPlan, FuncPlan


def const_ptr(c_type: str) -> str:
    """A pointer to read-only items of c_type, with the space before the variable name:
    "const int64_t *", and "void *const *" for a pointer item (not "const void **", a
    pointer to pointers to const, which the item converters do not take)."""
    return f"{c_type}const *" if c_type.endswith("*") else f"const {c_type} *"


def c_string(text: str) -> str:
    """A C string literal for ``text`` (UTF-8, escaped; deterministic)."""
    out = []
    for byte in text.encode("utf-8", "surrogateescape"):
        ch = chr(byte)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "?":
            out.append("\\?")  # never form a trigraph
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_doc(text: str) -> str:
    """A long C string literal, split into lines for readability."""
    lines = text.split("\n")
    parts = [c_string(line + ("\n" if i < len(lines) - 1 else "")) for i, line in enumerate(lines)]
    return "\n    ".join(parts) if parts else '""'


def function_docstring(fn: FuncPlan) -> str:
    """The docstring of a bridged function, with a ``__text_signature__`` header.

    The first block is CPython's text-signature syntax, so ``inspect.signature`` and
    ``help()`` show the parameter names; then the Go signature, then Go's doc comment.
    """
    names = ["$self" if fn.receiver is not None else "$module"] + [
        p.py_name for p in fn.params if not p.variadic
    ]
    if fn.variadic:
        names.append("*" + fn.params[-1].py_name)
    if fn.nil_default:
        names[-1] += "=None"
    text = f"{fn.py_name}({', '.join(names)})\n--\n\n"
    text += f"{fn.py_signature()}\n\nGo: {fn.go_signature}"
    if fn.pos:
        text += f"  [{fn.pos}]"
    if fn.returns_error:
        text += "\n\nA non-nil error is raised as goffi.GoError."
    if fn.doc.strip():
        text += "\n\n" + fn.doc.strip()
    return text


def class_docstring(cls: ClassPlan) -> str:
    go = f"Go: type {cls.go_name} ({cls.key})"
    if cls.kind == "handle":
        head = (
            f"{cls.py_name}(**fields)\n\nA Go {cls.key}, held by pointer: {cls.reason}. {cls.py_name}() is "
            "Go's zero value; keywords set exported fields."
        )
    else:
        head = f"A Go {cls.key} interface value: objects of bridged types that implement it are of their own class."
    text = f"{head}\n\n{go}" + (f"  [{cls.pos}]" if cls.pos else "")
    if cls.doc.strip():
        text += "\n\n" + cls.doc.strip()
    return text
