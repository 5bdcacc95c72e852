package main

// The non-nil scan (part of extractor -decodes): which results of a package's functions
// and methods are never nil, so that their stubs say T rather than T | None
// (goffi/decoding.py, goffi/plan/verdicts.py's apply_nil). It is syntactic and per package, read from
// the function bodies (go/parser). Result i of a function is never nil when the function
// has at least one return statement, none of them bare, and every one (outside function
// literals) gives for result i one of:
//
//	&T{...}, new(T), make(...), a composite literal T{...} or a function literal
//	a call of a function of the same package (by name) whose result is never nil
//	(return f(...) forwarding several results: f's result i)
//	a local variable that is never nil: every assignment to it in the body is one of the
//	above, or "x, err := f(...)" directly followed by "if err != nil { ... panic or return }"
//	(Go's convention: a nil error means a valid value; regexp.MustCompile), and its
//	address is never taken.
//
// Anything else (a parameter, a field, a method call, another package's function, a
// conditional) is unknown, so the result may be nil. The scan errs only where a body
// reassigns a variable in a way it does not see (through a pointer made elsewhere, or
// unsafe), and where a function of another package named like one of this package's
// functions is called through a dot import.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
)

type nonNilFunc struct {
	pkg     string
	key     string // "Func" or "Type.Method"
	method  bool
	decl    *ast.FuncDecl
	nres    int
	named   bool // the results are named (a bare return gives their current values)
	returns []*ast.ReturnStmt
	pos     string
}

// scanNonNil returns the never-nil results of the requested packages' functions and methods.
func scanNonNil(listed []listPackage, requested map[string]bool) []DecodeParam {
	found := []DecodeParam{}
	for _, p := range listed {
		if !requested[p.ImportPath] {
			continue
		}
		fset := token.NewFileSet()
		files := append(append([]string{}, p.GoFiles...), p.CgoFiles...)
		sort.Strings(files)
		var funcs []*nonNilFunc
		for _, name := range files {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				continue // unknown: the results may be nil
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil || fd.Type.Results == nil {
					continue
				}
				fn := &nonNilFunc{pkg: p.ImportPath, key: fd.Name.Name, decl: fd}
				if fd.Recv != nil && len(fd.Recv.List) == 1 {
					fn.method = true
					t := fd.Recv.List[0].Type
					if s, ok := t.(*ast.StarExpr); ok {
						t = s.X
					}
					if ix, ok := t.(*ast.IndexExpr); ok {
						t = ix.X
					}
					if ix, ok := t.(*ast.IndexListExpr); ok {
						t = ix.X
					}
					id, ok := t.(*ast.Ident)
					if !ok {
						continue
					}
					fn.key = id.Name + "." + fd.Name.Name
				}
				for _, field := range fd.Type.Results.List {
					if len(field.Names) == 0 {
						fn.nres++
					} else {
						fn.nres += len(field.Names)
						fn.named = true
					}
				}
				pos := fset.Position(fd.Pos())
				fn.pos = fmt.Sprintf("%s:%d", filepath.Base(pos.Filename), pos.Line)
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					switch x := n.(type) {
					case *ast.FuncLit:
						return false // its returns are its own
					case *ast.ReturnStmt:
						fn.returns = append(fn.returns, x)
					}
					return true
				})
				funcs = append(funcs, fn)
			}
		}
		// By the name a call in the package uses: functions only (a method call's
		// receiver type is not known to a syntax scan).
		byName := map[string]*nonNilFunc{}
		for _, fn := range funcs {
			if !fn.method {
				byName[fn.key] = fn
			}
		}
		never := map[*nonNilFunc][]bool{}
		for _, fn := range funcs {
			never[fn] = make([]bool, fn.nres)
		}
		for changed := true; changed; {
			changed = false
			for _, fn := range funcs {
				for i := 0; i < fn.nres; i++ {
					if !never[fn][i] && fn.resultNeverNil(i, byName, never) {
						never[fn][i] = true
						changed = true
					}
				}
			}
		}
		for _, fn := range funcs {
			for i, ok := range never[fn] {
				if ok {
					why := fmt.Sprintf("every return statement of %s (%s) gives &T{...}, new(T), make(...), "+
						"a literal or a value checked not nil (goffi's source scan)", fn.key, fn.pos)
					found = append(found, DecodeParam{Func: fn.pkg + "." + fn.key, Index: i, Why: why})
				}
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Func != found[j].Func {
			return found[i].Func < found[j].Func
		}
		return found[i].Index < found[j].Index
	})
	return found
}

func (fn *nonNilFunc) resultNeverNil(i int, byName map[string]*nonNilFunc, never map[*nonNilFunc][]bool) bool {
	if len(fn.returns) == 0 {
		return false
	}
	for _, r := range fn.returns {
		switch {
		case len(r.Results) == fn.nres:
			if !fn.exprNeverNil(r.Results[i], byName, never, 0) {
				return false
			}
		case len(r.Results) == 1 && fn.nres > 1:
			// return f(...), forwarding f's results.
			if !callNeverNil(r.Results[0], i, byName, never) {
				return false
			}
		default:
			return false // a bare return of named results
		}
	}
	return true
}

// callNeverNil says whether e is a call of a function of the package whose result i is never nil.
func callNeverNil(e ast.Expr, i int, byName map[string]*nonNilFunc, never map[*nonNilFunc][]bool) bool {
	c, ok := unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := c.Fun.(*ast.Ident)
	if !ok {
		return false
	}
	callee := byName[id.Name]
	return callee != nil && i < len(never[callee]) && never[callee][i]
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func (fn *nonNilFunc) exprNeverNil(e ast.Expr, byName map[string]*nonNilFunc, never map[*nonNilFunc][]bool, depth int) bool {
	e = unparen(e)
	switch x := e.(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			_, lit := unparen(x.X).(*ast.CompositeLit)
			return lit
		}
	case *ast.CompositeLit, *ast.FuncLit:
		return true
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "new" || id.Name == "make") && len(x.Args) >= 1 {
			return true
		}
		return callNeverNil(x, 0, byName, never)
	case *ast.Ident:
		if depth > 4 || x.Name == "nil" {
			return false
		}
		return fn.varNeverNil(x.Name, byName, never, depth+1)
	}
	return false
}

// varNeverNil says whether every assignment to the local variable name in the body gives
// a value that is never nil, and its address is never taken.
func (fn *nonNilFunc) varNeverNil(name string, byName map[string]*nonNilFunc, never map[*nonNilFunc][]bool, depth int) bool {
	if name == "_" || fn.isParamOrResult(name) {
		return false
	}
	assigned, ok := 0, true
	var walk func(stmts []ast.Stmt)
	check := func(n ast.Node, next ast.Stmt) {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for k, l := range x.Lhs {
				id, isID := l.(*ast.Ident)
				if !isID || id.Name != name {
					continue
				}
				assigned++
				switch {
				case len(x.Lhs) == len(x.Rhs):
					if !fn.exprNeverNil(x.Rhs[k], byName, never, depth) {
						ok = false
					}
				case len(x.Rhs) == 1 && k == 0 && len(x.Lhs) >= 2 && errChecked(x.Lhs[len(x.Lhs)-1], next):
					// x, err := f(...); if err != nil { panic or return }
					if _, isCall := unparen(x.Rhs[0]).(*ast.CallExpr); !isCall {
						ok = false
					}
				default:
					ok = false
				}
			}
		case *ast.ValueSpec:
			for k, id := range x.Names {
				if id.Name != name {
					continue
				}
				assigned++
				if len(x.Values) != len(x.Names) || !fn.exprNeverNil(x.Values[k], byName, never, depth) {
					ok = false
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{x.Key, x.Value} {
				if id, isID := e.(*ast.Ident); isID && id.Name == name {
					ok = false
				}
			}
		case *ast.UnaryExpr:
			if id, isID := unparen(x.X).(*ast.Ident); isID && x.Op == token.AND && id.Name == name {
				ok = false // its address escapes to code the scan does not follow
			}
		}
	}
	// Statements are visited with the one that follows them in their block, for the
	// "x, err := f(); if err != nil {...}" form.
	walk = func(stmts []ast.Stmt) {
		for k, s := range stmts {
			var next ast.Stmt
			if k+1 < len(stmts) {
				next = stmts[k+1]
			}
			ast.Inspect(s, func(n ast.Node) bool {
				if b, isBlock := n.(*ast.BlockStmt); isBlock {
					walk(b.List)
					return false
				}
				if cc, isClause := n.(*ast.CaseClause); isClause {
					walk(cc.Body)
					return false
				}
				if cc, isClause := n.(*ast.CommClause); isClause {
					walk(cc.Body)
					return false
				}
				if n != nil {
					check(n, next)
				}
				return true
			})
		}
	}
	walk(fn.decl.Body.List)
	return ok && assigned > 0
}

func (fn *nonNilFunc) isParamOrResult(name string) bool {
	lists := []*ast.FieldList{fn.decl.Type.Params, fn.decl.Type.Results, fn.decl.Recv}
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, f := range l.List {
			for _, n := range f.Names {
				if n.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// errChecked says whether next is "if err != nil { ... }" whose body ends in a return
// or a panic, for the error variable errExpr.
func errChecked(errExpr ast.Expr, next ast.Stmt) bool {
	errID, ok := errExpr.(*ast.Ident)
	if !ok || errID.Name == "_" || next == nil {
		return false
	}
	ifs, ok := next.(*ast.IfStmt)
	if !ok || ifs.Init != nil || len(ifs.Body.List) == 0 {
		return false
	}
	cond, ok := unparen(ifs.Cond).(*ast.BinaryExpr)
	if !ok || cond.Op != token.NEQ {
		return false
	}
	l, lok := unparen(cond.X).(*ast.Ident)
	r, rok := unparen(cond.Y).(*ast.Ident)
	if !lok || !rok || l.Name != errID.Name || r.Name != "nil" {
		return false
	}
	switch last := ifs.Body.List[len(ifs.Body.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		if c, isCall := last.X.(*ast.CallExpr); isCall {
			if id, isID := c.Fun.(*ast.Ident); isID && id.Name == "panic" {
				return true
			}
		}
	}
	return false
}
