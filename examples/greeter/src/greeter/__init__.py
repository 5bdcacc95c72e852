"""greeter: a Python package whose work is done by Go (see ../../go), bridged by goffi."""

from greeter._go.greeter import Add, ErrNoName, Greet

__all__ = ["Add", "ErrNoName", "Greet", "shout"]


def shout(name: str) -> str:
    """Greet, in capitals: Python on top of Go."""
    return Greet(name).upper()
