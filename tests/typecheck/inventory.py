"""A realistic goffi script: Go's strings, net/url, regexp, os and time, and a local Go
package (tests/gopkgs/typedapp). tests/test_stubs.py runs it, then checks that mypy
--strict and pyright report no error on it, through the stubs goffi.load wrote into the
project's typings/ folder."""

from __future__ import annotations

import datetime

import goffi

# Builds (or finds in the cache) one bundle, imports it, and writes its stubs to typings/.
goffi.load("strings", "net/url", "regexp", "os", "time", "./typedapp", name="gopkgs")

from gopkgs import os as goos  # noqa: E402  (the bundle is imported by goffi.load)
from gopkgs import regexp, strings, typedapp, url  # noqa: E402
from gopkgs import time as gotime  # noqa: E402


def text() -> list[str]:
    words = strings.Fields("  pear apple   plum ")
    reader = strings.NewReader("hello")  # never nil: typed strings.Reader, not Optional
    replacer = strings.NewReplacer("a", "4", "e", "3")
    builder = strings.Builder()
    written: int = builder.WriteString("go")
    return [
        strings.Join(words, ","),
        strings.ToUpper(words[0]),
        str(reader.Len()),
        replacer.Replace("banana tree"),
        f"{written} {builder.String()}",
    ]


def links() -> list[str]:
    u = url.Parse("https://example.com/shop?item=pear&n=2")  # a (T, error) result: never None
    query = u.Query()  # a url.Values, a dict subclass
    query.Set("n", "3")
    rel = u.Parse("../cart")
    return [u.Hostname(), query.Get("item"), query.Encode(), rel.String(), url.QueryEscape("a b")]


def patterns() -> list[str]:
    email = regexp.MustCompile(r"(\w+)@(\w+)\.com")  # never nil: the scan proves it
    match = email.FindStringSubmatch("write to gopher@golang.com")
    checked = regexp.Compile(r"^\d+$")
    return [",".join(match), str(checked.MatchString("42")), email.ReplaceAllString("me@x.com", "<$1>")]


def files(path: str) -> list[str]:
    goos.WriteFile(path, b"inventory\n", 0o644)
    info = goos.Stat(path)  # an fs.FileInfo: never None
    data: bytes = goos.ReadFile(path)
    mode = info.Mode()
    return [info.Name(), str(info.Size()), str(mode.IsDir()), data.decode().strip()]


def clock() -> list[str]:
    d = gotime.ParseDuration("1h30m")
    as_timedelta: datetime.timedelta = d  # a time.Duration is a timedelta
    t = gotime.Date(2024, gotime.March, 5, 12, 0, 0, 0, gotime.UTC)
    later: datetime.datetime = t.Add(d)
    return [str(d.Hours()), str(as_timedelta.seconds), t.Format("2006-01-02"), later.isoformat()]


def inventory() -> list[str]:
    store = typedapp.NewStore("ann")  # a handle; never nil
    opened = typedapp.Open("bob")  # (T, error): never None
    store.Put(typedapp.Item(Name="pear", Qty=4, Price=1.5, Tags=["fruit"], Level=typedapp.High))
    store.Put(typedapp.Item("fig", 1, 3.0, None, typedapp.Low))
    item = store.Get("pear")  # a record
    missing = typedapp.Lookup("zed")  # may be nil: Store | None
    found = typedapp.Lookup("bob")
    out = [item.Name, str(item.Qty), str(missing is None), found.Owner if found is not None else "-"]
    level: typedapp.Level = item.Level
    out.append(f"{level} {typedapp.Level.Medium!r} {opened.Owner}")
    try:
        store.Take("fig", 5)
    except typedapp.StockError as e:  # an error type: its fields are on the exception
        out.append(f"stock {e.Have}<{e.Want}")
    try:
        store.Get("plum")
    except typedapp.ErrNotFound as e:  # a sentinel error
        out.append(f"sentinel {e}")
    cheap = store.Filter(lambda it: it.Price < 2.0)  # a callback
    out.append(",".join(it.Name for it in cheap))
    out.append(",".join(str(name) for name in store.Stream()))  # a channel
    out.append(f"{store.Total(typedapp.Medium):.2f}")
    return out


if __name__ == "__main__":
    import sys

    for part in (text(), links(), patterns(), files(sys.argv[1]), clock(), inventory()):
        print(" | ".join(part))
