"""``goffi build --locked``: build again with exactly the module versions an earlier build used.

Every bundle's manifest records the go.mod and go.sum of the private module it was built
in (every module version, ``@latest`` and branches resolved, and their checksums). A
:class:`Lock` is read back from the manifest of the folder ``goffi build -o DIR`` wrote;
with it, remote specs take the recorded versions instead of asking the module proxy
(``@latest`` is not resolved again), the workspace starts from the recorded requirements
and go.sum (so Go checks every download against the recorded checksums), and a build that
ends up needing any other version fails instead of installing something else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from goffi.errors import BuildError, SpecError
from goffi.store import MANIFEST
from goffi.workspace import BUNDLE_MODULE, PackageSpec

_MODULE_LINE = re.compile(r"^(?P<path>\S+)\s+(?P<version>v\S+)$")


@dataclass(frozen=True)
class Lock:
    source: Path  # the manifest it was read from
    go_mod: str
    go_sum: str

    def digest(self) -> str:
        """sha256 of the recorded go.mod and go.sum (a locked build's cache key has it)."""
        return hashlib.sha256(f"{len(self.go_mod)}\0{self.go_mod}\0{self.go_sum}".encode()).hexdigest()

    def requires(self) -> dict[str, str]:
        """{module path: version} of the remote modules the locked build required."""
        required, replaced = parse_go_mod(self.go_mod)
        return {m: v for m, v in required.items() if m not in replaced}


def _unquote(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] == token[-1] == '"' else token


def parse_go_mod(text: str) -> tuple[dict[str, str], set[str]]:
    """The ``require`` (module -> version) and ``replace``d module paths of a go.mod."""
    required: dict[str, str] = {}
    replaced: set[str] = set()
    block = ""
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if block:
            if line == ")":
                block = ""
            else:
                _take(block, line, required, replaced)
            continue
        verb, _, rest = line.partition(" ")
        rest = rest.strip()
        if rest == "(":
            block = verb
        else:
            _take(verb, rest, required, replaced)
    return required, replaced


def _take(verb: str, rest: str, required: dict[str, str], replaced: set[str]) -> None:
    if verb == "require":
        m = _MODULE_LINE.match(rest)
        if m is not None:
            required[_unquote(m["path"])] = m["version"]
    elif verb == "replace":
        replaced.add(_unquote(rest.split()[0]))


def read_lock(folder: Path) -> Lock:
    """The lock recorded by the bundle goffi built into ``folder`` (``goffi build -o``)."""
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise SpecError(
            f"--locked: {folder} holds no bundle goffi built ({MANIFEST} is missing), so there are no "
            "recorded versions to reuse. Build once without --locked (goffi build -o "
            f"{folder} ...); its manifest records the versions later --locked builds reuse."
        ) from None
    except (OSError, ValueError) as e:
        raise SpecError(f"--locked: cannot read {manifest_path} ({e}); build once without --locked") from None
    go_mod = manifest.get("go_mod") if isinstance(manifest, dict) else None
    go_sum = manifest.get("go_sum") if isinstance(manifest, dict) else None
    if not isinstance(go_mod, str) or not isinstance(go_sum, str):
        raise SpecError(
            f"--locked: {manifest_path} records no go.mod and go.sum (a bundle from an older goffi); "
            "build once without --locked to record them"
        )
    return Lock(source=manifest_path, go_mod=go_mod, go_sum=go_sum)


def _module_of(import_path: str, modules: Sequence[str]) -> str | None:
    """The module (of ``modules``) that holds ``import_path``: the longest path prefix."""
    found = [m for m in modules if import_path == m or import_path.startswith(m + "/")]
    return max(found, key=len) if found else None


def locked_versions(specs: Sequence[PackageSpec], lock: Lock) -> list[PackageSpec]:
    """``specs`` with every remote version taken from ``lock`` (no module proxy is asked).

    A remote package the lock does not hold, or an exact version other than the locked
    one, raises SpecError: the lock cannot be honoured.
    """
    from goffi.workspace import is_floating

    requires = lock.requires()
    out = []
    for spec in specs:
        if spec.kind != "remote":
            out.append(spec)
            continue
        module = _module_of(spec.import_path, list(requires))
        if module is None:
            raise SpecError(
                f"--locked: {spec.spec!r} is not in the versions recorded in {lock.source} (they hold "
                f"{', '.join(f'{m}@{v}' for m, v in sorted(requires.items())) or 'no remote module'}). "
                "Build without --locked to add it (and record its version)."
            )
        version = requires[module]
        if not is_floating(spec) and spec.version != version:
            raise SpecError(
                f"--locked: {spec.spec!r} asks for {module}@{spec.version}, but {lock.source} records "
                f"{module}@{version}. Ask for that version (or @latest, which the lock pins), or build "
                "without --locked to move to the new one."
            )
        out.append(dataclasses.replace(spec, version=version))
    return out


def check_honoured(go_mod: str, lock: Lock) -> None:
    """Raise BuildError when the build's final go.mod needed a module version the lock lacks."""
    built, replaced = parse_go_mod(go_mod)
    requires = lock.requires()
    moved = [
        f"{m}@{v} (locked: {requires.get(m, 'not recorded')})"
        for m, v in sorted(built.items())
        if m not in replaced and m != BUNDLE_MODULE and requires.get(m) != v
    ]
    if moved:
        raise BuildError(
            f"--locked: the build needed module versions other than those recorded in {lock.source}: "
            f"{', '.join(moved)}. Nothing was installed. Build without --locked to take the new versions "
            "(and record them)."
        )
