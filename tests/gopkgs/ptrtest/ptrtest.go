// Package ptrtest exercises pointers that share (issue 10, item 3) and records that
// implement interfaces (item 4): a tree of *Node, a Point with a pointer-receiver
// method, and a Shape interface with value records.
package ptrtest

import (
	"fmt"
	"math"
	"strings"
)

// Node is a tree node: every field is exported and copies, but Go shares nodes by pointer.
type Node struct {
	Label string
	Count int32
}

// Tree holds its root and the nodes below it.
type Tree struct {
	root  *Node
	nodes []*Node
}

// NewTree makes a tree whose root has the label.
func NewTree(label string) *Tree {
	r := &Node{Label: label}
	return &Tree{root: r, nodes: []*Node{r}}
}

// Root returns the same *Node every time.
func (t *Tree) Root() *Node { return t.root }

// Add appends a child node and returns it.
func (t *Tree) Add(label string) *Node {
	n := &Node{Label: label}
	t.nodes = append(t.nodes, n)
	return n
}

// Adopt keeps the node Python gives (Go keeps the pointer).
func (t *Tree) Adopt(n *Node) { t.nodes = append(t.nodes, n) }

// At returns the i-th node.
func (t *Tree) At(i int) *Node { return t.nodes[i] }

// Labels joins the labels Go sees.
func (t *Tree) Labels() string {
	parts := make([]string, len(t.nodes))
	for i, n := range t.nodes {
		parts[i] = fmt.Sprintf("%s:%d", n.Label, n.Count)
	}
	return strings.Join(parts, ",")
}

// Same reports whether a and b are the same Go pointer.
func Same(a, b *Node) bool { return a == b }

// Rename sets the label through the pointer Python passes (Go does not keep it).
func Rename(n *Node, label string) { n.Label = label }

// Describe reads a node by value.
func Describe(n Node) string { return fmt.Sprintf("%s:%d", n.Label, n.Count) }

// CopyOf returns the node by value: a copy.
func CopyOf(n *Node) Node { return *n }

// Bump increments the count (a pointer receiver).
func (n *Node) Bump() int32 { n.Count++; return n.Count }

// AsAny returns the node inside an any.
func AsAny(n *Node) any { return n }

// Point has a pointer-receiver method.
type Point struct {
	X, Y float64
}

// Scale multiplies the point in place.
func (p *Point) Scale(f float64) { p.X *= f; p.Y *= f }

// Norm is a value-receiver method.
func (p Point) Norm() float64 { return math.Hypot(p.X, p.Y) }

// Shape is implemented by Square and Circle, by value.
type Shape interface {
	Area() float64
	Name() string
}

// Square is a record that implements Shape.
type Square struct {
	Side float64
}

// Area of the square.
func (s Square) Area() float64 { return s.Side * s.Side }

// Name of the shape.
func (s Square) Name() string { return "square" }

// Circle is a record that implements Shape.
type Circle struct {
	R float64
}

// Area of the circle.
func (c Circle) Area() float64 { return math.Pi * c.R * c.R }

// Name of the shape.
func (c Circle) Name() string { return "circle" }

// Largest returns the name of the shape with the largest area.
func Largest(a, b Shape) string {
	if a.Area() >= b.Area() {
		return a.Name()
	}
	return b.Name()
}

// Kind names the dynamic type of a shape, as a type switch sees it.
func Kind(s Shape) string { return fmt.Sprintf("%T", s) }

// Counter is a record whose method set needs a pointer.
type Counter struct {
	N int8
}

// Inc increments the counter.
func (c *Counter) Inc() { c.N++ }

// Incer is implemented by *Counter only.
type Incer interface{ Inc() }

// IncTwice increments through the interface.
func IncTwice(i Incer) { i.Inc(); i.Inc() }

// Holder keeps a Shape, to hand it back as an interface.
type Holder struct {
	S Shape
}

// NodeStringer returns a *Node as a fmt.Stringer interface value.
func NodeStringer(n *Node) fmt.Stringer { return n }

// String gives the node's label.
func (n *Node) String() string { return "node " + n.Label }

// Size is a record Go only copies.
type Size struct {
	W, H uint8
}

// Area of a size.
func Area(s Size) int { return int(s.W) * int(s.H) }

// Double returns a square with twice the side: a record by value.
func Double(s Square) Square { return Square{Side: 2 * s.Side} }
