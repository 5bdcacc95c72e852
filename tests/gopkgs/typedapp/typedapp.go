// Package typedapp is a small inventory the typing tests (tests/test_stubs.py) load with
// strings, net/url, regexp, os and time: a realistic script using one of each kind of
// thing that crosses the boundary (a record, a handle, an enum, errors, a callback, a
// channel) must pass mypy --strict and pyright with no error, through goffi's stubs.
package typedapp

import (
	"errors"
	"fmt"
	"sort"
)

// Level is an enum-like named integer.
type Level int

// The levels of an item.
const (
	Low Level = iota
	Medium
	High
)

// String names the level.
func (l Level) String() string {
	switch l {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Item is a record: every field is exported and copies, and Go never shares it by pointer.
type Item struct {
	Name  string
	Qty   int64
	Price float64
	Tags  []string
	Level Level
}

// ErrNotFound is returned when no item has the name asked.
var ErrNotFound = errors.New("typedapp: item not found")

// StockError says an item has too few units.
type StockError struct {
	Name string
	Have int64
	Want int64
}

func (e *StockError) Error() string {
	return fmt.Sprintf("typedapp: %s: have %d, want %d", e.Name, e.Have, e.Want)
}

// Store is a handle: its items are unexported, so Go keeps them.
type Store struct {
	items map[string]Item
	Owner string
}

// NewStore returns an empty store: never nil.
func NewStore(owner string) *Store {
	return &Store{items: map[string]Item{}, Owner: owner}
}

// Open returns a store with some items, or an error for an empty owner.
func Open(owner string) (*Store, error) {
	if owner == "" {
		return nil, errors.New("typedapp: no owner")
	}
	s := NewStore(owner)
	s.Put(Item{Name: "apple", Qty: 3, Price: 0.5, Tags: []string{"fruit"}, Level: Low})
	opened[owner] = s
	return s, nil
}

// Put adds or replaces an item.
func (s *Store) Put(it Item) {
	s.items[it.Name] = it
}

// Get returns the item with that name, or ErrNotFound.
func (s *Store) Get(name string) (Item, error) {
	it, ok := s.items[name]
	if !ok {
		return Item{}, ErrNotFound
	}
	return it, nil
}

// opened holds the stores Open made, by owner.
var opened = map[string]*Store{}

// Lookup returns the store Open made for owner, or nil when there is none.
func Lookup(owner string) *Store {
	return opened[owner]
}

// Take removes n units of an item, or returns a *StockError when there are too few.
func (s *Store) Take(name string, n int64) error {
	it, err := s.Get(name)
	if err != nil {
		return err
	}
	if it.Qty < n {
		return &StockError{Name: name, Have: it.Qty, Want: n}
	}
	it.Qty -= n
	s.items[name] = it
	return nil
}

// Names returns the item names, sorted.
func (s *Store) Names() []string {
	names := make([]string, 0, len(s.items))
	for n := range s.items {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Filter returns the items keep accepts, sorted by name.
func (s *Store) Filter(keep func(Item) bool) []Item {
	var out []Item
	for _, n := range s.Names() {
		if keep(s.items[n]) {
			out = append(out, s.items[n])
		}
	}
	return out
}

// Stream sends the item names, sorted, from a goroutine, then closes the channel.
func (s *Store) Stream() <-chan string {
	names := s.Names()
	ch := make(chan string)
	go func() {
		defer close(ch)
		for _, n := range names {
			ch <- n
		}
	}()
	return ch
}

// Total is the value of the items at or above level.
func (s *Store) Total(level Level) float64 {
	total := 0.0
	for _, it := range s.items {
		if it.Level >= level {
			total += float64(it.Qty) * it.Price
		}
	}
	return total
}
