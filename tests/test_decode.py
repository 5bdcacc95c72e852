"""Decoding into Python objects (issue 9, item 2: writes come back, any targets).

Where Go decodes into an ``any`` parameter (json.Unmarshal's v, Decoder.Decode's v, a
yaml or toml target), a dict, list or record passed there is filled in place: Go gets a
pointer to its converted copy and goffi writes Go's result back (goffi.decoding decides
where, from the Go source). tests/gopkgs/decodetest does the same in Go and returns
Go's result: the oracle.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GO_TEST_PACKAGES
from goffi.build import Progress, plan_specs
from goffi.decoding import parse_decodes
from goffi.inspect import report
from goffi.plan import BundlePlan
from goffi.toolchain import find_go
from goffi.workspace import parse_spec

DECODETEST = GO_TEST_PACKAGES / "decodetest"


def _run(code: str, cache: Path, timeout: int = 900) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(cache)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "ok\n", done.stdout[-3000:]


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> BundlePlan:
    work = tmp_path_factory.mktemp("decode-plan")
    specs = [parse_spec(str(DECODETEST)), parse_spec("encoding/json"), parse_spec("fmt")]
    return plan_specs(specs, work, find_go(), session_cache, Progress(False))


def _memory(plan: BundlePlan, path: str) -> dict[str, dict[str, str]]:
    (pkg,) = [r for r in report(plan) if r.path == path]
    return {e.name: dict(e.memory) for e in pkg.entries if e.memory}


def test_inspect_shows_which_parameters_go_decodes_into(plan: BundlePlan) -> None:
    json = _memory(plan, "encoding/json")
    for name, param in (("Unmarshal", "v"), ("Decoder.Decode", "v")):
        verdict = json[name][param]
        assert verdict.startswith("Go decodes into it: a dict, list or record gets Go's result in place"), (
            verdict
        )
        assert "must be a pointer" in verdict, verdict
    # Encoders and printers get the value itself: no verdict.
    assert "v" not in json.get("Marshal", {}) and "v" not in json.get("Encoder.Encode", {})
    local = _memory(plan, "example.com/decodetest")
    assert "passed to fill" in local["Fill"]["v"] and "decodetest.go:" in local["Fill"]["v"]
    assert "Peek" not in local  # a nil check of a pointer is no decoder
    assert not any("decodes" in v for e in _memory(plan, "fmt").values() for v in e.values())
    # Map parameters Go writes into, directly or through a call; not those it only reads.
    assert local["Put"]["m"].startswith("Go writes into the map: a dict gets Go's map's contents")
    assert "delete(m...)" in local["Drop"]["m"] and "passed to bump" in local["Bump"]["m"]
    assert "Count" not in local


def test_parse_decodes_is_sorted_and_keyed_by_function() -> None:
    text = (
        '{"decodes":[{"func":"p.B","index":1,"name":"v","why":"w2"},'
        '{"func":"p.A","index":0,"name":"v","why":"w1"}]}'
    )
    d = parse_decodes(text)
    assert list(d.funcs) == ["p.A", "p.B"] and d.why("p.B", 1) == "w2" and d.why("p.B", 0) == ""


def test_json_fills_dicts_lists_and_records_in_place(session_cache: Path) -> None:
    """Go's own json.Unmarshal(data, &x) (decodetest) is the oracle for each target."""
    code = f"""
        import goffi
        dt, json, fmt, strings = goffi.load({str(DECODETEST)!r}, "encoding/json", "fmt", "strings")

        # A dict: Go keeps existing entries (json merges into a map) and adds or replaces.
        data = b'{{"a": 2, "b": [1, "z", null], "c": {{"d": true}}}}'
        start = {{"a": 1, "keep": "x", "c": 5}}
        d = dict(start)
        ident = id(d)
        assert json.Unmarshal(data, d) is None
        want, err = dt.UnmarshalMap(data, dict(start))
        assert d == want and id(d) == ident, (d, want)
        assert d["keep"] == "x" and d["a"] == 2.0

        # JSON null makes Go's map nil: the dict is emptied, as Go's map is.
        d = {{"x": 1}}
        json.Unmarshal(b"null", d)
        assert (d, "") == dt.UnmarshalMap(b"null", {{"x": 1}}) == ({{}}, ""), d

        # A list: Go's slice replaces its items.
        lst = [1, 2]
        json.Unmarshal(b'[3, "four", {{"five": 5}}]', lst)
        assert lst == dt.UnmarshalList(b'[3, "four", {{"five": 5}}]', [1, 2])[0] == [3.0, "four", {{"five": 5.0}}]

        # A record of a Go struct with json tags: its fields are set.
        c = dt.Config(Name="old", Port=1, Tags=["t"])
        json.Unmarshal(b'{{"port": 8080, "tags": ["a", "b"]}}', c)
        want, err = dt.UnmarshalConfig(b'{{"port": 8080, "tags": ["a", "b"]}}', dt.Config(Name="old", Port=1, Tags=["t"]))
        assert c == want and c.Name == "old" and c.Port == 8080 and c.Tags == ["a", "b"], (c, want)

        # Go's error still raises, after what Go decoded before it came back.
        d = {{"a": 1}}
        try:
            json.Unmarshal(b'{{"a": ', d)
        except json.SyntaxError:
            pass
        else:
            raise AssertionError("no SyntaxError")
        assert d == {{"a": 1}}
        c = dt.Config()
        try:
            json.Unmarshal(b'{{"name": "n", "port": "not a number"}}', c)
        except goffi.GoError as e:
            got = str(e)
        want, err = dt.UnmarshalConfig(b'{{"name": "n", "port": "not a number"}}', dt.Config())
        assert c == want and got == err != "", (c, want, got, err)

        # Decoder.Decode in a loop, into one dict (Go keeps earlier keys, as in Go).
        stream = '{{"x": 1}} {{"y": [true]}} {{"x": 3}}'
        dec = json.NewDecoder(strings.NewReader(stream))
        target, seen = {{}}, []
        while dec.More():
            dec.Decode(target)
            seen.append(dict(target))
        want, err = dt.DecodeAll(stream, {{}})
        assert seen == want and err == "", (seen, want)

        # A local decoder found through a call (Fill -> fill), and values other than a
        # dict, list or record: Go gets them as they are.
        d = {{}}
        dt.Fill(d)
        assert d == {{"filled": True}}
        try:
            dt.Fill(3)
        except goffi.GoError as e:
            assert "non-nil pointer" in str(e)
        else:
            raise AssertionError("Fill(3) did not fail")
        assert dt.Peek({{"a": 1}}) == "map[string]interface {{}}" and dt.Peek([1]) == "[]interface {{}}"

        # Printers and encoders see the value, not a pointer to it.
        d = {{"a": 1, "b": "x"}}
        assert fmt.Sprint(d) == dt.SprintMap(d) == "map[a:1 b:x]", fmt.Sprint(d)
        assert json.Marshal(d) == b'{{"a":1,"b":"x"}}'
        assert d == {{"a": 1, "b": "x"}}

        # Go's writes into a map parameter come back to a dict; Go's Bumped is the oracle.
        m = {{"a": 1, "b": 2}}
        dt.Put(m, "c", 3)
        dt.Drop(m, "a")
        assert m == {{"b": 2, "c": 3}}, m
        dt.Bump(m)
        assert m == dt.Bumped({{"b": 2, "c": 3}}) == {{"b": 3, "c": 4}}, m
        assert dt.Count(m) == 2 and m == {{"b": 3, "c": 4}}
        from types import MappingProxyType
        frozen = MappingProxyType({{"a": 1}})
        dt.Put(frozen, "z", 1)  # not a dict: left as it was
        assert dict(frozen) == {{"a": 1}}

        # A tuple is immutable: Go decodes into its copy, the tuple stays.
        t = (1, 2)
        json.Unmarshal(b"[5]", t)
        assert t == (1, 2)
        print("ok")
        """
    _run(code, session_cache)


@pytest.mark.network
def test_yaml_and_toml_fill_a_dict(session_cache: Path) -> None:
    """gopkg.in/yaml.v3 and BurntSushi/toml from the module proxy: a dict target is
    filled (yaml.Unmarshal used to leave it empty; toml.Decode raised "non-pointer")."""
    code = """
        import goffi
        yaml, toml = goffi.load("gopkg.in/yaml.v3@v3.0.1", "github.com/BurntSushi/toml@v1.6.0")
        d = {"old": 1}
        yaml.Unmarshal(b"a: 1\\nb: [x, y]\\nc: {d: true}\\n", d)
        assert d == {"old": 1, "a": 1, "b": ["x", "y"], "c": {"d": True}}, d
        t = {}
        meta = toml.Decode('title = "T"\\n[owner]\\nname = "n"\\nn = 3\\n', t)
        assert t == {"title": "T", "owner": {"name": "n", "n": 3}}, t
        lst = []
        yaml.Unmarshal(b"- 1\\n- two\\n", lst)
        assert lst == [1, "two"], lst
        print("ok")
        """
    _run(code, session_cache, timeout=1500)


def test_readme_decode_example_prints_what_it_says(session_cache: Path) -> None:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "json.Unmarshal(b'" in b]
    code = textwrap.dedent(block)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(session_cache)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Each print's output is the comment on its line.
    said = [line.split("# ", 1)[1].strip() for line in code.splitlines() if line.startswith("print(")]
    assert done.stdout.splitlines() == said
