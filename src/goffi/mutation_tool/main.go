// Command mutation decides, for every slice parameter of every exported function and
// method of the packages named on the command line, whether Go may write into the
// slice's memory during the call. It is goffi's mutation analysis (goffi/mutation.py):
// a conservative, interprocedural analysis over golang.org/x/tools/go/ssa.
//
// A parameter is "read-only" only when every use of its memory, and of every value
// derived from it (reslices, element addresses, conversions, interface boxes, call
// results that may alias it), is one the analysis understands as a read: indexing for a
// load, len/cap, copy's source, append's source, comparisons, and passing it to a
// function whose own analysis says it only reads that parameter. Anything else counts as
// a write: a store through it, copy's destination, append onto it, clear, unsafe, storing
// it into memory (a struct, a map, a global, a channel: the analysis does not follow it
// there), a call of an unknown function (a func value, an interface method) and a
// function with no Go body (assembly), except the interface methods and assembly
// routines whose contract says they do not modify their slice (allowedInterface,
// readOnlyAsm; listed in goffi's README).
//
// Output: one JSON object {"funcs": {"pkg.Func": [verdict per parameter], "pkg.T.M": ...}}
// where a verdict is null for a parameter that is not a slice, else {"writes": bool,
// "why": "..."}.
package main

import (
	"encoding/json"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// Verdict is one parameter's answer.
type Verdict struct {
	Writes  bool   `json:"writes"`
	Why     string `json:"why"`
	Kept    bool   `json:"kept"` // stored, sent, given to a goroutine, or unknown
	KeptWhy string `json:"kept_why"`
	// Returned: it may share memory with a result (the compiler's escape analysis says
	// whether that result is kept; goffi.analysis).
	Returned bool `json:"returned"`
}

type output struct {
	Funcs   map[string][]*Verdict `json:"funcs"`
	Problem string                `json:"problem,omitempty"`
}

// allowedInterface: interface methods whose documented contract forbids modifying the
// slice argument ("Write must not modify the slice data, even temporarily"). Keyed by the
// package and name of the declaring interface method (hash.Hash's Write is io.Writer's).
var allowedInterface = map[string]bool{
	"io.Writer.Write":     true,
	"io.WriterAt.WriteAt": true,
}

// readOnlyAsm: functions without a Go body (assembly) whose slice parameters are inputs
// only (they read it and write elsewhere: a digest, a result), by package.
var readOnlyAsm = map[string]map[string]bool{
	"internal/bytealg":               {"Compare": true, "Count": true, "Index": true, "IndexByte": true, "Equal": true},
	"hash/crc32":                     {"castagnoliSSE42": true, "castagnoliSSE42Triple": true, "ieeeCLMUL": true},
	"crypto/internal/fips140/sha256": {"block": true, "blockAVX2": true, "blockSHANI": true},
	"crypto/internal/fips140/sha512": {"block": true, "blockAVX2": true},
	"crypto/sha1":                    {"block": true, "blockAVX2": true, "blockSHANI": true},
	"crypto/md5":                     {"block": true},
}

type key struct {
	fn  *ssa.Function
	idx int // parameter index (free variables follow the parameters)
}

type analyser struct {
	// globalFuncs: the values stored into each package-level variable anywhere in the
	// program, so a call through a func variable set once (crc32's updateIEEE, chosen at
	// init by CPU) is a call of the functions it may hold.
	globalFuncs map[*ssa.Global][]ssa.Value
	summary     map[key]*Verdict
	state       map[key]int // 0 unseen this round, 1 in progress, 2 done this round
	changed     bool
}

func main() {
	out := output{Funcs: map[string][]*Verdict{}}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax}
	pkgs, err := packages.Load(cfg, os.Args[1:]...)
	if err != nil {
		out.Problem = err.Error()
		emit(out)
		return
	}
	var problems []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			problems = append(problems, e.Error())
		}
	})
	if len(problems) > 0 {
		out.Problem = strings.Join(problems, "; ")
		emit(out)
		return
	}
	prog, spkgs := ssautil.AllPackages(pkgs, ssa.BuilderMode(0))
	prog.Build()
	a := &analyser{summary: map[key]*Verdict{}, state: map[key]int{}, globalFuncs: map[*ssa.Global][]ssa.Value{}}
	// In a fixed order (AllFunctions is a map), so the evidence a verdict quotes is the
	// same in every run.
	var funcs []*ssa.Function
	for f := range ssautil.AllFunctions(prog) {
		funcs = append(funcs, f)
	}
	sort.Slice(funcs, func(i, j int) bool {
		if si, sj := funcs[i].String(), funcs[j].String(); si != sj {
			return si < sj
		}
		return funcs[i].Pos() < funcs[j].Pos()
	})
	for _, f := range funcs {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if g, ok := st.Addr.(*ssa.Global); ok {
						a.globalFuncs[g] = append(a.globalFuncs[g], st.Val)
					}
				}
			}
		}
	}
	type entry struct {
		name string
		fn   *ssa.Function
	}
	var entries []entry
	for _, sp := range spkgs {
		if sp == nil {
			continue
		}
		path := sp.Pkg.Path()
		for name, m := range sp.Members {
			if f, ok := m.(*ssa.Function); ok && token.IsExported(name) {
				entries = append(entries, entry{path + "." + name, f})
			}
			if t, ok := m.(*ssa.Type); ok && token.IsExported(name) && !types.IsInterface(t.Type()) {
				for _, T := range []types.Type{t.Type(), types.NewPointer(t.Type())} {
					ms := prog.MethodSets.MethodSet(T)
					for i := 0; i < ms.Len(); i++ {
						sel := ms.At(i)
						if !sel.Obj().Exported() {
							continue
						}
						f := prog.MethodValue(sel)
						if f == nil {
							continue
						}
						entries = append(entries, entry{path + "." + name + "." + sel.Obj().Name(), f})
					}
				}
			}
		}
	}
	// Stable: a method of T is listed before (*T)'s wrapper of it, and is the one kept.
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	for {
		a.changed = false
		a.state = map[key]int{}
		for _, e := range entries {
			for i := range e.fn.Params {
				if isSlice(e.fn.Params[i].Type()) {
					a.param(e.fn, i)
				}
			}
		}
		if !a.changed {
			break
		}
	}
	for _, e := range entries {
		params := e.fn.Params
		if e.fn.Signature.Recv() != nil {
			params = params[1:] // the receiver is not a parameter to goffi
		}
		first := len(e.fn.Params) - len(params)
		vs := make([]*Verdict, len(params))
		for i := range params {
			if isSlice(params[i].Type()) {
				vs[i] = a.summary[key{e.fn, first + i}]
				if vs[i] == nil {
					vs[i] = &Verdict{Writes: true, Why: "not analysed", Kept: true, KeptWhy: "not analysed", Returned: true}
				}
			}
		}
		if prev, ok := out.Funcs[e.name]; !ok || len(prev) == 0 {
			out.Funcs[e.name] = vs
		}
	}
	emit(out)
}

func emit(out output) {
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func isSlice(t types.Type) bool {
	_, ok := t.Underlying().(*types.Slice)
	return ok
}

func funcName(fn *ssa.Function) string {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	return fn.String() // Go's notation: "pkg.F", "(pkg.T).M", "(*pkg.T).M"
}

// facts: what one analysis found; "" for a fact not found.
type facts struct {
	write, keep string
	returned    bool
}

// param: the verdict for fn's parameter (or free variable) idx, computed now if needed.
// Recursion: a parameter in progress answers with its current summary (read-only and
// not kept at first); main repeats the rounds until no summary changes (the facts only
// ever grow, so the rounds end).
func (a *analyser) param(fn *ssa.Function, idx int) *Verdict {
	if fn.Origin() != nil && fn.Blocks == nil {
		fn = fn.Origin()
	}
	k := key{fn, idx}
	cur := a.summary[k]
	if cur == nil {
		cur = &Verdict{Why: "read only", KeptWhy: "not kept"}
		a.summary[k] = cur
	}
	if a.state[k] != 0 || (cur.Writes && cur.Kept && cur.Returned) {
		return cur
	}
	a.state[k] = 1
	f := a.analyse(fn, idx)
	a.state[k] = 2
	if f.write != "" && !cur.Writes {
		cur.Writes, cur.Why = true, f.write
		a.changed = true
	}
	if f.keep != "" && !cur.Kept {
		cur.Kept, cur.KeptWhy = true, f.keep
		a.changed = true
	}
	if f.returned && !cur.Returned {
		cur.Returned = true
		a.changed = true
	}
	return cur
}

func (a *analyser) analyse(fn *ssa.Function, idx int) facts {
	if fn.Blocks == nil {
		pkg := ""
		if fn.Pkg != nil {
			pkg = fn.Pkg.Pkg.Path()
		}
		if readOnlyAsm[pkg][fn.Name()] {
			return facts{}
		}
		why := fmt.Sprintf("passed to %s, which has no Go body (assembly or linked)", funcName(fn))
		return facts{write: why, keep: why, returned: true}
	}
	var start ssa.Value
	if idx < len(fn.Params) {
		start = fn.Params[idx]
	} else if j := idx - len(fn.Params); j < len(fn.FreeVars) {
		start = fn.FreeVars[j]
	} else {
		return facts{write: "not analysed", keep: "not analysed", returned: true}
	}
	tainted := map[ssa.Value]bool{}
	// cells: variables holding the slice (a captured variable is an Alloc the closure
	// binds; in the closure it is a FreeVar): assigning them is no write into the memory.
	cells := map[ssa.Value]bool{}
	if idx >= len(fn.Params) {
		cells[start] = true
	}
	work := []ssa.Value{start}
	add := func(v ssa.Value) {
		// A value whose type holds no pointer (an int, a rune) cannot share the memory.
		if v != nil && !tainted[v] && (mayPoint(v.Type()) || isUintptr(v.Type())) {
			work = append(work, v)
		}
	}
	var out facts
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if tainted[v] {
			continue
		}
		tainted[v] = true
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, instr := range *refs {
			f := a.use(fn, v, instr, add, cells)
			if out.write == "" {
				out.write = f.write
			}
			if out.keep == "" {
				out.keep = f.keep
			}
			out.returned = out.returned || f.returned
			if out.write != "" && out.keep != "" && out.returned {
				return out
			}
		}
	}
	return out
}

func where(fn *ssa.Function, instr ssa.Instruction) string {
	pos := instr.Pos()
	if !pos.IsValid() {
		pos = fn.Pos()
	}
	if !pos.IsValid() {
		return funcName(fn)
	}
	p := fn.Prog.Fset.Position(pos)
	file := p.Filename
	if i := strings.LastIndex(file, "/"); i >= 0 {
		file = file[i+1:]
	}
	return fmt.Sprintf("%s (%s:%d)", funcName(fn), file, p.Line)
}

func both(why string) facts { return facts{write: why, keep: why} }

// use: how instr uses the tainted value v. It adds derived values that share v's memory
// and says whether the use may write into the memory or keep it past the call.
func (a *analyser) use(fn *ssa.Function, v ssa.Value, instr ssa.Instruction, add func(ssa.Value), cells map[ssa.Value]bool) facts {
	at := where(fn, instr)
	switch in := instr.(type) {
	case *ssa.Slice, *ssa.Phi, *ssa.ChangeType, *ssa.SliceToArrayPointer, *ssa.MakeInterface,
		*ssa.ChangeInterface, *ssa.TypeAssert, *ssa.Extract, *ssa.MultiConvert:
		add(in.(ssa.Value))
	case *ssa.IndexAddr:
		if in.X == v {
			add(in)
		}
	case *ssa.FieldAddr:
		add(in)
	case *ssa.Field, *ssa.Index:
		add(in.(ssa.Value))
	case *ssa.UnOp:
		if in.Op == token.MUL {
			// A load: the element's value; it shares memory only if it holds pointers.
			add(in)
		} else if in.Op == token.ARROW {
			return both("received from (a channel) in " + at)
		}
	case *ssa.Convert:
		// An unsafe.Pointer, a uintptr made from one (unsafe's rule 3: arithmetic) and a
		// pointer made back from either are followed like the slice's own pointers, so
		// uintptr(unsafe.Pointer(&b[0])) is a read; []byte -> string copies.
		if b, ok := in.Type().Underlying().(*types.Basic); !ok || b.Kind() == types.UnsafePointer || b.Kind() == types.Uintptr {
			add(in)
		}
	case *ssa.BinOp:
		if isUintptr(in.Type()) {
			add(in) // pointer arithmetic on an address inside the memory
		}
	case *ssa.If, *ssa.DebugRef, *ssa.Jump, *ssa.RunDefers:
		// Reads.
	case *ssa.Return:
		// Shares memory with the call's result: a caller follows its call's results; the
		// exported function's own results are the compiler's (goffi.analysis) to judge.
		return facts{returned: true}
	case *ssa.Panic:
		return facts{keep: "a panic value (recover may keep it) in " + at}
	case *ssa.Store:
		if in.Addr == v {
			if cells[v] {
				return facts{} // assigning the variable that held it
			}
			return facts{write: "written in " + at}
		}
		if cells[in.Addr] {
			return facts{} // assigning (a reslice of) it back to its variable
		}
		if alloc, ok := in.Addr.(*ssa.Alloc); ok && isCell(alloc) {
			cells[alloc] = true
			add(alloc)
			return facts{}
		}
		if g, ok := in.Addr.(*ssa.Global); ok {
			return both("stored in the global " + g.Name() + " in " + at)
		}
		return both("stored into memory (not followed) in " + at)
	case *ssa.MapUpdate:
		if in.Map == v {
			return facts{write: "written (a map update) in " + at}
		}
		return both("stored into a map in " + at)
	case *ssa.Send:
		return both("sent on a channel in " + at)
	case *ssa.MakeClosure:
		var out facts
		for j, b := range in.Bindings {
			if b == v {
				cl := in.Fn.(*ssa.Function)
				r := a.param(cl, len(cl.Params)+j)
				if r.Writes && out.write == "" {
					out.write = "captured by a closure in " + at + " that writes it: " + r.Why
				}
				if r.Kept && out.keep == "" {
					out.keep = "captured by a closure in " + at + " that keeps it: " + r.KeptWhy
				}
				out.returned = out.returned || r.Returned
			}
		}
		// The closure value now holds it: direct calls of it are fine (checked here);
		// anything else done with the closure (stored, passed on, run as a goroutine)
		// is followed as a use of the memory itself.
		add(in)
		return out
	case ssa.CallInstruction:
		return a.call(fn, v, in, at, add)
	default:
		return both(fmt.Sprintf("used by %T in %s, which goffi does not follow", instr, at))
	}
	return facts{}
}

// isCell: whether a local variable is only assigned, read and captured by closures (so
// storing the slice there is followed, not a loss of track).
func isCell(alloc *ssa.Alloc) bool {
	for _, r := range *alloc.Referrers() {
		switch u := r.(type) {
		case *ssa.Store:
			if u.Addr != alloc {
				return false
			}
		case *ssa.UnOp:
			if u.Op != token.MUL {
				return false
			}
		case *ssa.MakeClosure, *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

func isUintptr(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Uintptr
}

func mayPoint(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Array:
		return mayPoint(u.Elem())
	case *types.Tuple:
		for i := 0; i < u.Len(); i++ {
			if mayPoint(u.At(i).Type()) {
				return true
			}
		}
		return false
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if mayPoint(u.Field(i).Type()) {
				return true
			}
		}
		return false
	}
	return true
}

func (a *analyser) call(fn *ssa.Function, v ssa.Value, in ssa.CallInstruction, at string, add func(ssa.Value)) facts {
	cc := in.Common()
	if value, ok := in.(ssa.Value); ok && value != nil {
		add(value) // a result may alias an argument (bytes.TrimSpace returns a subslice)
	}
	if _, isGo := in.(*ssa.Go); isGo {
		// The goroutine may run after the call returns: kept, and its writes count.
		out := a.callee(fn, v, cc, "a goroutine started in "+at)
		out.keep = "passed to a goroutine started in " + at
		return out
	}
	return a.callee(fn, v, cc, at)
}

func (a *analyser) callee(fn *ssa.Function, v ssa.Value, cc *ssa.CallCommon, at string) facts {
	if b, ok := cc.Value.(*ssa.Builtin); ok {
		switch b.Name() {
		case "len", "cap", "print", "println", "ssa:wrapnilchk", "min", "max":
			return facts{}
		case "copy":
			if cc.Args[0] == v {
				return facts{write: "copy's destination in " + at}
			}
			return facts{}
		case "append":
			if cc.Args[0] == v {
				// The result may be the same memory: followed as a call result.
				return facts{write: "appended to (append may write in place) in " + at}
			}
			return facts{}
		case "clear":
			return facts{write: "cleared in " + at}
		case "SliceData", "unsafe.SliceData":
			return facts{} // its result, a pointer into the memory, is followed
		}
		return both("passed to " + b.Name() + " in " + at)
	}
	if cc.IsInvoke() {
		m := cc.Method
		name := m.Name()
		if recv := m.Signature().Recv(); recv != nil {
			if n, ok := types.Unalias(recv.Type()).(*types.Named); ok && n.Obj().Pkg() != nil {
				name = n.Obj().Pkg().Path() + "." + n.Obj().Name() + "." + m.Name()
			}
		}
		if cc.Value != v && allowedInterface[name] {
			return facts{} // its contract: must not modify the slice, nor retain it
		}
		if cc.Value == v {
			return both("the receiver of interface method " + m.Name() + " in " + at + " (unknown implementation)")
		}
		return both("passed to interface method " + name + " in " + at + " (unknown implementation)")
	}
	callee := cc.StaticCallee()
	if mc, ok := cc.Value.(*ssa.MakeClosure); ok {
		callee = mc.Fn.(*ssa.Function)
		if cc.Value == v {
			return facts{} // calling a closure that captured it: checked at MakeClosure
		}
	}
	if callee == nil {
		if load, ok := cc.Value.(*ssa.UnOp); ok && load.Op == token.MUL {
			if g, ok := load.X.(*ssa.Global); ok && len(a.globalFuncs[g]) > 0 {
				return a.globalCall(g, cc, v, at)
			}
		}
		if cc.Value == v {
			return both("called as a func value in " + at + " (unknown function)")
		}
		return both("passed to a func value in " + at + " (unknown function)")
	}
	return a.static(callee, cc, v, at, "passed to "+funcName(callee)+" in "+at)
}

// static: the facts of passing v to the known function f.
func (a *analyser) static(f *ssa.Function, cc *ssa.CallCommon, v ssa.Value, at, via string) facts {
	var out facts
	if cc.Value == v {
		return both("called in " + at)
	}
	for i, arg := range cc.Args {
		if arg != v {
			continue
		}
		if i >= len(f.Params) && f.Blocks != nil {
			return both(via + " (not followed)")
		}
		r := a.param(f, i)
		if r.Writes && out.write == "" {
			out.write = via + ", which writes it: " + r.Why
		}
		if r.Kept && out.keep == "" {
			out.keep = via + ", which keeps it: " + r.KeptWhy
		}
	}
	return out
}

// globalCall: a call through the func variable g, as a call of every function stored
// into g anywhere in the program (any other stored value is an unknown function).
func (a *analyser) globalCall(g *ssa.Global, cc *ssa.CallCommon, v ssa.Value, at string) facts {
	var out facts
	for _, val := range a.globalFuncs[g] {
		f, ok := val.(*ssa.Function)
		if !ok {
			return both("passed to func variable " + g.Name() + " in " + at + " (it may hold an unknown function)")
		}
		r := a.static(f, cc, v, at, "passed to func variable "+g.Name()+" in "+at+", which may be "+funcName(f))
		if out.write == "" {
			out.write = r.write
		}
		if out.keep == "" {
			out.keep = r.keep
		}
	}
	return out
}
