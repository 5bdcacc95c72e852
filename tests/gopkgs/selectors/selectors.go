// Package selectors reproduces Go's selector rule on promoted fields and methods, and a
// struct embedded by value, as real packages have them (text/template, archive/zip).
package selectors

import "time"

// Tree is embedded by pointer in Template, as parse.Tree is in text/template.
type Tree struct {
	Name  string // hidden in Template by Template.Name, a method at depth 0
	Root  string // promoted into Template
	Depth int    // hidden in Template by Template.Depth, a field at depth 0
}

// Copy is promoted into Template.
func (t *Tree) Copy() string { return "tree:" + t.Root }

// Label is hidden in Template by Template.Label, a field at depth 0.
func (t *Tree) Label() string { return "tree label" }

// Template embeds *Tree; its own Name method and Label field hide Tree's.
type Template struct {
	*Tree
	common
	name  string
	Label string
	Depth string
}

// New makes a template with a tree.
func New(name, root string) *Template {
	return &Template{Tree: &Tree{Name: "tree " + name, Root: root, Depth: 7}, name: name, Label: "own label", Depth: "own"}
}

// Name is the template's own name (not its tree's).
func (t *Template) Name() string { return t.name }

// common is unexported and embedded: its exported method and field are promoted.
type common struct {
	Shared int
}

// Hello is promoted into Template from an unexported embedded type.
func (c *common) Hello() string { return "hello from common" }

// Left and Right both have Both (a method) and Twin (a field) at the same depth.
type Left struct{ Twin int }

// Both is ambiguous in Pair.
func (Left) Both() string { return "left" }

// OnlyLeft is promoted into Pair.
func (Left) OnlyLeft() string { return "only left" }

// Right is Left's twin.
type Right struct{ Twin int }

// Both is ambiguous in Pair.
func (Right) Both() string { return "right" }

// Pair embeds Left and Right: Both and Twin are ambiguous there, so neither is selectable.
type Pair struct {
	Left
	Right
}

// Reader is embedded by value in ReadCloser (as zip.Reader is in zip.ReadCloser); it is
// a handle class (its stamp field is unexported).
type Reader struct {
	Files []string
	stamp time.Time
}

// Count is promoted into ReadCloser.
func (r *Reader) Count() int { return len(r.Files) }

// ReadCloser embeds Reader by value: its Reader field is the address of that value.
type ReadCloser struct {
	Reader
	closed bool
}

// NewReader makes a Reader: a *Reader result may be nil, the ReadCloser.Reader field never is.
func NewReader(files ...string) *Reader { return &Reader{Files: files} }

// Open makes a ReadCloser.
func Open(files ...string) *ReadCloser { return &ReadCloser{Reader: Reader{Files: files}} }

// Close closes it.
func (rc *ReadCloser) Close() error { rc.closed = true; return nil }

// Closed says whether Close was called.
func (rc *ReadCloser) Closed() bool { return rc.closed }

// Stamp takes a time.Time: the wrapper converts it without
// spelling package time, so it must not import it.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
