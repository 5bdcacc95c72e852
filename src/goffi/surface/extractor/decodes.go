package main

// The decode scan (extractor -decodes PKG...): which interface-typed parameters of a
// package's functions and methods Go decodes into, i.e. fills through a pointer the
// caller must pass (json.Unmarshal's v, toml.Decode's v, yaml.Unmarshal's out). goffi
// gives those parameters a pointer to a converted copy of a dict, list or record and
// writes Go's result back into the Python object (goffi/decoding.py).
//
// The rule is syntactic and per package, read from the function bodies (go/parser):
// a parameter p of type any (or interface{}) "decodes" when, in its function,
//
//	rv := reflect.ValueOf(p) ... rv.Kind() == / != reflect.Ptr (or reflect.Pointer)
//
// (or reflect.ValueOf(p).Kind() compared directly; p may first be copied to another
// variable), or when p is passed, at position j, to a function or method of the same
// package with that name whose parameter j decodes. This is what decoders do to
// reject a non-pointer target (encoding/json, BurntSushi/toml) or to step through it
// (gopkg.in/yaml.v3); printers and encoders (fmt, json.Marshal) switch on the Kind
// of a reflect.Value they were given, which this rule does not match.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DecodeParam is one parameter that Go decodes into, with the evidence.
type DecodeParam struct {
	Func  string `json:"func"` // "pkgpath.Func" or "pkgpath.Type.Method"
	Index int    `json:"index"`
	Name  string `json:"name"`
	Why   string `json:"why"`
}

type decodeFunc struct {
	pkg    string
	key    string // "Func" or "Type.Method"
	name   string // the name calls use
	params []string
	iface  []bool
	// per tracked parameter: the direct evidence ("" if none) and the calls it flows into
	direct []string // decoding into an any parameter
	writes []string // writing into a map parameter (the receiver's slot is last)
	nparam int      // the real parameters (params and the slices above hold the receiver last)
	calls  [][]decodeCall
}

type decodeCall struct {
	pkg  string
	name string
	arg  int
	pos  string
}

func runDecodes(pkgs []string) error {
	a := &decodeScan{funcs: map[string][]*decodeFunc{}, seen: map[string]bool{}}
	// One go list of the packages and their dependencies; a dependency is read only
	// when the parameters' calls reach it (json.Unmarshal calls encoding/json/v2's
	// Unmarshal), at most maxDecodePackages packages in all.
	listed, err := listSources(pkgs)
	if err != nil {
		return err
	}
	byPath := map[string]listPackage{}
	requested := map[string]bool{}
	var todo []string
	for _, p := range listed {
		byPath[p.ImportPath] = p
		if !p.DepOnly {
			requested[p.ImportPath] = true
			todo = append(todo, p.ImportPath)
			a.seen[p.ImportPath] = true
		}
	}
	for len(todo) > 0 && len(a.seen) <= maxDecodePackages {
		path := todo[0]
		todo = todo[1:]
		p, ok := byPath[path]
		if !ok {
			continue
		}
		for _, next := range a.read(p) {
			if !a.seen[next] {
				a.seen[next] = true
				todo = append(todo, next)
			}
		}
	}
	result := map[string][]DecodeParam{}
	for kind, writes := range map[string]bool{"decodes": false, "map_writes": true} {
		why := a.solve(writes)
		found := []DecodeParam{}
		for _, fn := range a.order {
			if !requested[fn.pkg] {
				continue
			}
			for i, w := range why[fn][:fn.nparam] {
				if w != "" {
					found = append(found, DecodeParam{Func: fn.pkg + "." + fn.key, Index: i, Name: fn.params[i], Why: w})
				}
			}
		}
		sort.SliceStable(found, func(i, j int) bool {
			if found[i].Func != found[j].Func {
				return found[i].Func < found[j].Func
			}
			return found[i].Index < found[j].Index
		})
		result[kind] = found
	}
	result["nonnil"] = scanNonNil(listed, requested) // nonnil.go: results that are never nil
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(result)
}

const maxDecodePackages = 64

type decodeScan struct {
	funcs map[string][]*decodeFunc // by "pkgpath.name" (the name calls use)
	order []*decodeFunc
	seen  map[string]bool
}

func listSources(pkgs []string) ([]listPackage, error) {
	cmd := exec.Command(goCommand(), append([]string{"list", "-e", "-deps", "-json=ImportPath,Dir,GoFiles,CgoFiles,DepOnly"}, pkgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, oneLine(stderr.String()))
	}
	var listed []listPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listPackage
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		listed = append(listed, p)
	}
	return listed, nil
}

// read scans a package's files and returns the other packages its parameters' calls reach.
func (a *decodeScan) read(p listPackage) []string {
	fset := token.NewFileSet()
	files := append(append([]string{}, p.GoFiles...), p.CgoFiles...)
	sort.Strings(files)
	var next []string
	for _, name := range files {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			continue // unknown: nothing decodes (goffi then passes the value as it is)
		}
		for _, fn := range scanFile(fset, f, p.ImportPath) {
			a.funcs[fn.pkg+"."+fn.name] = append(a.funcs[fn.pkg+"."+fn.name], fn)
			a.order = append(a.order, fn)
			for _, calls := range fn.calls {
				for _, c := range calls {
					if c.pkg != p.ImportPath {
						next = append(next, c.pkg)
					}
				}
			}
		}
	}
	return next
}

// solve: why[fn][i] is the evidence that fn's parameter i decodes (writes: that Go
// writes into the map it is); a fixpoint over the calls.
func (a *decodeScan) solve(writes bool) map[*decodeFunc][]string {
	why := map[*decodeFunc][]string{}
	for _, fn := range a.order {
		if writes {
			why[fn] = append([]string{}, fn.writes...)
		} else {
			why[fn] = append([]string{}, fn.direct...)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, fn := range a.order {
			for i := range fn.params {
				if !writes && !fn.iface[i] {
					continue // only an any parameter decodes
				}
				for _, c := range fn.calls[i] {
					if why[fn][i] != "" {
						break
					}
					for _, callee := range a.funcs[c.pkg+"."+c.name] {
						arg := c.arg
						if arg < 0 {
							arg = callee.nparam // the receiver's slot
						}
						if arg < len(callee.params) && (arg < callee.nparam || c.arg < 0) && why[callee][arg] != "" {
							name := callee.key
							if callee.pkg != fn.pkg {
								name = callee.pkg + "." + callee.key
							}
							if c.arg < 0 {
								why[fn][i] = fmt.Sprintf("its method %s is called (%s), where %s", name, c.pos, why[callee][arg])
							} else {
								why[fn][i] = fmt.Sprintf("passed to %s (%s), where %s", name, c.pos, why[callee][arg])
							}
							changed = true
							break
						}
					}
				}
			}
		}
	}
	return why
}

// scanFile finds each function's direct evidence and the calls its interface-typed
// parameters flow into.
func scanFile(fset *token.FileSet, f *ast.File, pkg string) []*decodeFunc {
	reflectName := ""
	imports := map[string]string{} // the name a file uses -> the import path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := guessPackageName(path)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		if path == "reflect" {
			reflectName = name
		}
		imports[name] = path
	}
	if reflectName == "_" {
		reflectName = ""
	}
	at := func(n ast.Node) string {
		pos := fset.Position(n.Pos())
		return fmt.Sprintf("%s:%d", filepath.Base(pos.Filename), pos.Line)
	}
	// isReflect says whether e names reflect.<sel> (or <sel> under a dot import).
	isReflect := func(e ast.Expr, sels ...string) bool {
		var name string
		switch x := e.(type) {
		case *ast.SelectorExpr:
			id, ok := x.X.(*ast.Ident)
			if !ok || reflectName == "" || reflectName == "." || id.Name != reflectName {
				return false
			}
			name = x.Sel.Name
		case *ast.Ident:
			if reflectName != "." {
				return false
			}
			name = x.Name
		default:
			return false
		}
		for _, s := range sels {
			if name == s {
				return true
			}
		}
		return false
	}
	var out []*decodeFunc
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		fn := &decodeFunc{pkg: pkg, key: fd.Name.Name, name: fd.Name.Name}
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
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
			if id, ok := t.(*ast.Ident); ok {
				fn.key = id.Name + "." + fd.Name.Name
			}
		}
		var mapLike []bool
		var typePkg []string // the package of a named parameter type's methods
		pkgOf := func(t ast.Expr) string {
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if sel, ok := t.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && imports[id.Name] != "" {
					return imports[id.Name]
				}
			}
			return pkg
		}
		for _, field := range fd.Type.Params.List {
			iface := isEmptyInterface(field.Type)
			names := field.Names
			if len(names) == 0 {
				names = []*ast.Ident{{Name: "_"}}
			}
			for _, n := range names {
				fn.params = append(fn.params, n.Name)
				fn.iface = append(fn.iface, iface)
				mapLike = append(mapLike, maybeMap(field.Type))
				typePkg = append(typePkg, pkgOf(field.Type))
			}
		}
		fn.nparam = len(fn.params)
		recv := "_"
		if fd.Recv != nil && len(fd.Recv.List) == 1 && len(fd.Recv.List[0].Names) == 1 {
			recv = fd.Recv.List[0].Names[0].Name
		}
		fn.params = append(fn.params, recv) // the receiver's slot, for map writes only
		fn.iface = append(fn.iface, false)
		mapLike = append(mapLike, fd.Recv != nil)
		typePkg = append(typePkg, pkg)
		fn.direct = make([]string, len(fn.params))
		fn.writes = make([]string, len(fn.params))
		fn.calls = make([][]decodeCall, len(fn.params))
		for i, name := range fn.params {
			if !fn.iface[i] && !mapLike[i] || name == "_" {
				continue
			}
			aliases := aliasesOf(fd.Body, name)
			isAlias := func(e ast.Expr) bool {
				for {
					p, ok := e.(*ast.ParenExpr)
					if !ok {
						break
					}
					e = p.X
				}
				id, ok := e.(*ast.Ident)
				return ok && aliases[id.Name]
			}
			wrote := func(n ast.Node, what string) {
				if mapLike[i] && fn.writes[i] == "" {
					fn.writes[i] = fmt.Sprintf("%s (%s)", what, at(n))
				}
			}
			values := map[string]bool{} // variables holding reflect.ValueOf(an alias)
			isValueOf := func(e ast.Expr) bool {
				c, ok := e.(*ast.CallExpr)
				if !ok || len(c.Args) != 1 || !isReflect(c.Fun, "ValueOf") {
					return false
				}
				id, ok := c.Args[0].(*ast.Ident)
				return ok && aliases[id.Name]
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.AssignStmt:
					if len(x.Lhs) == len(x.Rhs) {
						for k, r := range x.Rhs {
							if id, ok := x.Lhs[k].(*ast.Ident); ok && isValueOf(r) {
								values[id.Name] = true
							}
						}
					}
				case *ast.ValueSpec:
					if len(x.Names) == len(x.Values) {
						for k, r := range x.Values {
							if isValueOf(r) {
								values[x.Names[k].Name] = true
							}
						}
					}
				}
				return true
			})
			isKindOfValue := func(e ast.Expr) bool {
				c, ok := e.(*ast.CallExpr)
				if !ok || len(c.Args) != 0 {
					return false
				}
				sel, ok := c.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Kind" {
					return false
				}
				if id, ok := sel.X.(*ast.Ident); ok && values[id.Name] {
					return true
				}
				return isValueOf(sel.X)
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.IfStmt:
					if fn.direct[i] == "" && decodeGuard(x, isKindOfValue, isReflect) {
						fn.direct[i] = fmt.Sprintf("reflect.ValueOf(%s) must be a pointer (%s)", name, at(x))
					}
				case *ast.AssignStmt:
					for _, l := range x.Lhs {
						if ix, ok := l.(*ast.IndexExpr); ok && isAlias(ix.X) {
							wrote(x, fmt.Sprintf("%s[...] is assigned", name))
						}
					}
				case *ast.IncDecStmt:
					if ix, ok := x.X.(*ast.IndexExpr); ok && isAlias(ix.X) {
						wrote(x, fmt.Sprintf("%s[...]%s", name, x.Tok))
					}
				case *ast.CallExpr:
					if x.Ellipsis.IsValid() {
						return true
					}
					callee, in := "", pkg
					switch f := x.Fun.(type) {
					case *ast.Ident:
						callee = f.Name
						if (f.Name == "delete" || f.Name == "clear") && len(x.Args) > 0 && isAlias(x.Args[0]) {
							wrote(x, fmt.Sprintf("%s(%s...)", f.Name, name))
						}
					case *ast.SelectorExpr:
						if id, ok := f.X.(*ast.Ident); ok && imports[id.Name] != "" {
							in = imports[id.Name] // another package's function
						} else if isAlias(f.X) && mapLike[i] {
							// A method of the parameter's own (map) type: its receiver's slot.
							fn.calls[i] = append(fn.calls[i], decodeCall{pkg: typePkg[i], name: f.Sel.Name, arg: -1, pos: at(x)})
						}
						callee = f.Sel.Name
					}
					for j, a := range x.Args {
						if id, ok := a.(*ast.Ident); ok && aliases[id.Name] && callee != "" {
							fn.calls[i] = append(fn.calls[i], decodeCall{pkg: in, name: callee, arg: j, pos: at(x)})
						}
					}
				}
				return true
			})
		}
		out = append(out, fn)
	}
	return out
}

// decodeGuard says whether an if statement is a decoder's pointer check of the
// parameter's reflect.Value rv: "if rv.Kind() != reflect.Pointer [|| ...] { return or
// panic }" (a non-pointer is rejected: encoding/json, BurntSushi/toml), or "if
// rv.Kind() == reflect.Pointer && !rv.IsNil() { ... }" (a pointer is stepped into:
// gopkg.in/yaml.v3). A nil check ("rv.Kind() == reflect.Pointer && rv.IsNil()", as
// fmt and encoders make) is not one.
func decodeGuard(x *ast.IfStmt, isKind func(ast.Expr) bool, isReflect func(ast.Expr, ...string) bool) bool {
	var terms []ast.Expr
	var flatten func(e ast.Expr)
	flatten = func(e ast.Expr) {
		if p, ok := e.(*ast.ParenExpr); ok {
			flatten(p.X)
			return
		}
		if b, ok := e.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		terms = append(terms, e)
	}
	flatten(x.Cond)
	ne, eq, notNil := false, false, false
	for _, t := range terms {
		if b, ok := t.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) &&
			(isKind(b.X) && isReflect(b.Y, "Ptr", "Pointer") || isKind(b.Y) && isReflect(b.X, "Ptr", "Pointer")) {
			ne = ne || b.Op == token.NEQ
			eq = eq || b.Op == token.EQL
		}
		if u, ok := t.(*ast.UnaryExpr); ok && u.Op == token.NOT {
			if c, ok := u.X.(*ast.CallExpr); ok {
				if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "IsNil" {
					notNil = true
				}
			}
		}
	}
	if eq && notNil {
		return true
	}
	if !ne {
		return false
	}
	exits := false
	ast.Inspect(x.Body, func(n ast.Node) bool {
		switch y := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			exits = true
		case *ast.CallExpr:
			if id, ok := y.Fun.(*ast.Ident); ok && id.Name == "panic" {
				exits = true
			}
		}
		return !exits
	})
	return exits
}

// guessPackageName is the name a file most likely uses for an import without a name:
// the path's last element, without a version suffix (gopkg.in/yaml.v3: yaml;
// encoding/json/v2: json) or a go- prefix.
func guessPackageName(path string) string {
	parts := strings.Split(path, "/")
	name := parts[len(parts)-1]
	if len(parts) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = parts[len(parts)-2]
	}
	if i := strings.Index(name, ".v"); i > 0 {
		name = name[:i]
	}
	return strings.TrimPrefix(name, "go-")
}

// aliasesOf is name and the variables that copy it (q := name, q = name, var q = name),
// transitively.
func aliasesOf(body *ast.BlockStmt, name string) map[string]bool {
	aliases := map[string]bool{name: true}
	for changed := true; changed; {
		changed = false
		ast.Inspect(body, func(n ast.Node) bool {
			add := func(l ast.Expr, r ast.Expr) {
				lid, ok1 := l.(*ast.Ident)
				rid, ok2 := r.(*ast.Ident)
				if ok1 && ok2 && aliases[rid.Name] && !aliases[lid.Name] && lid.Name != "_" {
					aliases[lid.Name] = true
					changed = true
				}
			}
			switch x := n.(type) {
			case *ast.AssignStmt:
				if len(x.Lhs) == len(x.Rhs) {
					for k := range x.Lhs {
						add(x.Lhs[k], x.Rhs[k])
					}
				}
			case *ast.ValueSpec:
				if len(x.Names) == len(x.Values) {
					for k := range x.Names {
						add(x.Names[k], x.Values[k])
					}
				}
			}
			return true
		})
	}
	return aliases
}

// maybeMap says whether a parameter's type may be a map: a map type, or a named type
// (whose underlying type a syntax scan cannot see: url.Values, http.Header).
func maybeMap(t ast.Expr) bool {
	switch x := t.(type) {
	case *ast.MapType:
		return true
	case *ast.Ident:
		switch x.Name {
		case "bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
			"uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "byte",
			"rune", "error", "any":
			return false
		}
		return true
	case *ast.SelectorExpr:
		return true
	}
	return false
}

// isEmptyInterface says whether a parameter's type is any or interface{}.
func isEmptyInterface(t ast.Expr) bool {
	switch x := t.(type) {
	case *ast.Ident:
		return x.Name == "any"
	case *ast.InterfaceType:
		return x.Methods == nil || len(x.Methods.List) == 0
	}
	return false
}
