// Command extractor prints the exported API ("surface") of Go packages as JSON.
//
// Usage, with the working directory inside a Go module that can resolve PKG:
//
//	extractor PKG...
//
// The JSON document mirrors the Python dataclasses in goffi/surface/model.py
// field for field (snake_case names; fields holding their dataclass default are
// omitted). Types come from the compiler's export data (go list -export), so
// they are exactly what the compiler saw, build tags and cgo included; doc
// comments come from parsing the package sources, which export data lacks.
//
// Only the standard library is used so that goffi can build this tool with
// any Go >= 1.24, offline, without fetching modules.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/doc"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// ---- output model (see goffi/surface/model.py) ----

type TypeRef struct {
	Kind             string     `json:"kind"`
	Name             string     `json:"name,omitempty"`
	Alias            string     `json:"alias,omitempty"` // basic: "byte" or "rune" when the source says so
	Pkg              string     `json:"pkg,omitempty"`
	Elem             *TypeRef   `json:"elem,omitempty"`
	Key              *TypeRef   `json:"key,omitempty"`
	Length           int64      `json:"length,omitempty"`
	Dir              string     `json:"dir,omitempty"` // set for every chan, so "omitted" means the default "both"
	Params           []Param    `json:"params,omitempty"`
	Results          []Param    `json:"results,omitempty"`
	Variadic         bool       `json:"variadic,omitempty"`
	Methods          []Method   `json:"methods,omitempty"`
	EmbedsNonMethods bool       `json:"embeds_non_methods,omitempty"`
	Fields           []Field    `json:"fields,omitempty"`
	TypeArgs         []*TypeRef `json:"type_args,omitempty"`
}

type Param struct {
	Name string   `json:"name"`
	Type *TypeRef `json:"type"`
}

type Field struct {
	Name     string   `json:"name"`
	Type     *TypeRef `json:"type"`
	Exported bool     `json:"exported"`
	Embedded bool     `json:"embedded,omitempty"`
	Doc      string   `json:"doc,omitempty"`
}

type Method struct {
	Name            string  `json:"name"`
	Params          []Param `json:"params"`  // required in the model: never null
	Results         []Param `json:"results"` // required in the model: never null
	Variadic        bool    `json:"variadic,omitempty"`
	PointerReceiver bool    `json:"pointer_receiver,omitempty"`
	Doc             string  `json:"doc,omitempty"`
	Pos             string  `json:"pos,omitempty"`
}

type NamedType struct {
	Pkg        string   `json:"pkg"`
	Name       string   `json:"name"`
	Underlying *TypeRef `json:"underlying"`
	Methods    []Method `json:"methods,omitempty"`
	TypeParams []string `json:"type_params,omitempty"`
	Doc        string   `json:"doc,omitempty"`
	Pos        string   `json:"pos,omitempty"`
}

type Func struct {
	Name       string   `json:"name"`
	Params     []Param  `json:"params"`
	Results    []Param  `json:"results"`
	Variadic   bool     `json:"variadic,omitempty"`
	TypeParams []string `json:"type_params,omitempty"`
	// Constraints describes each type parameter's constraint, in TypeParams' order.
	Constraints []Constraint `json:"constraints,omitempty"`
	Doc         string       `json:"doc,omitempty"`
	Pos         string       `json:"pos,omitempty"`
}

// Constraint is what a type parameter's constraint allows: its type set as a union of
// terms (when Restricted; terms may mention other type parameters, as ~[]E does), the
// methods it requires, and whether it requires comparable types.
type Constraint struct {
	Spelling   string   `json:"spelling"`
	Comparable bool     `json:"comparable,omitempty"`
	Methods    []string `json:"methods,omitempty"`
	Restricted bool     `json:"restricted,omitempty"`
	Terms      []Term   `json:"terms,omitempty"`
}

// Term is one term of a type set: T, or ~T (Tilde) for every type whose underlying type is T.
type Term struct {
	Tilde bool     `json:"tilde,omitempty"`
	Type  *TypeRef `json:"type"`
}

type Const struct {
	Name  string   `json:"name"`
	Type  *TypeRef `json:"type"`
	Kind  string   `json:"kind"`
	Value string   `json:"value"`
	Doc   string   `json:"doc,omitempty"`
	Pos   string   `json:"pos,omitempty"`
}

type Var struct {
	Name string   `json:"name"`
	Type *TypeRef `json:"type"`
	Doc  string   `json:"doc,omitempty"`
	Pos  string   `json:"pos,omitempty"`
}

type Module struct {
	Path    string `json:"path"`
	Version string `json:"version,omitempty"`
}

type Package struct {
	Path     string   `json:"path"`
	Name     string   `json:"name"`
	Doc      string   `json:"doc,omitempty"`
	Standard bool     `json:"standard,omitempty"`
	Module   *Module  `json:"module"` // null for the standard library
	Funcs    []Func   `json:"funcs,omitempty"`
	Types    []string `json:"types,omitempty"`
	Consts   []Const  `json:"consts,omitempty"`
	Vars     []Var    `json:"vars,omitempty"`
}

type Surface struct {
	GoVersion string                `json:"go_version"`
	Packages  []Package             `json:"packages"`
	Named     map[string]*NamedType `json:"named"` // encoding/json sorts map keys
}

// ---- go list ----

type listError struct {
	Err string
}

type listModule struct {
	Path    string
	Version string
	Main    bool
	Replace *listModule
}

type listPackage struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Export     string
	Standard   bool
	DepOnly    bool
	Module     *listModule
	Error      *listError
	DepsErrors []*listError
}

// goCommand picks the go binary: goffi passes the exact toolchain it resolved in
// GOFFI_GO; otherwise GOROOT/bin/go, so the export data matches the GOROOT in use.
func goCommand() string {
	if g := os.Getenv("GOFFI_GO"); g != "" {
		return g
	}
	if root := os.Getenv("GOROOT"); root != "" {
		g := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(g); err == nil {
			return g
		}
	}
	return "go"
}

func goList(args []string) ([]*listPackage, error) {
	cmd := exec.Command(goCommand(), append([]string{"list", "-e", "-export", "-deps",
		"-json=ImportPath,Name,Dir,GoFiles,CgoFiles,Export,Standard,DepOnly,Module,Error,DepsErrors"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, oneLine(stderr.String()))
	}
	var pkgs []*listPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(listPackage)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: bad output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// roots returns the packages named on the command line, in command-line order.
// go list -deps prints dependencies first, so each argument is matched back to its
// package by import path or, for a relative/absolute directory, by directory.
// Whatever a pattern ("./...") expanded to follows, in go list's order.
func roots(args []string, pkgs []*listPackage) []*listPackage {
	var rest []*listPackage
	for _, p := range pkgs {
		if !p.DepOnly {
			rest = append(rest, p)
		}
	}
	var out []*listPackage
	take := func(match func(p *listPackage) bool) {
		for i, p := range rest {
			if match(p) {
				out = append(out, p)
				rest = append(rest[:i:i], rest[i+1:]...)
				return
			}
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, ".") || filepath.IsAbs(a) {
			abs, err := filepath.Abs(a)
			if err == nil {
				take(func(p *listPackage) bool { return p.Dir == abs })
			}
			continue
		}
		take(func(p *listPackage) bool { return p.ImportPath == a })
	}
	return append(out, rest...)
}

// oneLine folds Go's multi-line errors (compiler output) into one stderr line.
func oneLine(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") { // "to add it:\n\tgo get x" reads on
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

// ---- docs from source ----

// pkgDocs holds the doc comments of one package, read from its source.
// Export data carries positions but no comments, so objects found in export data
// are matched to comments by name (package-level) or by "file.go:LINE:name"
// (struct fields and interface methods, which have no stable name path).
type pkgDocs struct {
	pkg     string
	funcs   map[string]string
	types   map[string]string
	methods map[string]string // "Type.Method"
	values  map[string]string // consts and vars
	byPos   map[string]string
	// cgo files (by base name) and the source line of each package-level name
	// or "Type.Method" declared in them, to correct export-data positions there
	// (see lineOffset).
	cgoFiles  map[string]bool
	declLines map[string]map[string]int
}

func parseDocs(lp *listPackage) *pkgDocs {
	d := &pkgDocs{
		funcs: map[string]string{}, types: map[string]string{}, methods: map[string]string{},
		values: map[string]string{}, byPos: map[string]string{},
		cgoFiles: map[string]bool{}, declLines: map[string]map[string]int{},
	}
	for _, name := range lp.CgoFiles {
		d.cgoFiles[name] = true
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range append(append([]string(nil), lp.GoFiles...), lp.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(lp.Dir, name), nil, docParseMode)
		if err != nil {
			// The compiler accepted these files, so this is unexpected; docs are
			// a nicety, the types are already known, so carry on without them.
			continue
		}
		files = append(files, f)
	}
	// Read the raw AST before go/doc runs: without AllDecls go/doc deletes
	// unexported declarations and fields from the AST, and the surface also
	// describes unexported types and fields reached from the exported API.
	for _, f := range files {
		d.scanFile(fset, f)
	}
	if len(files) > 0 {
		if p, err := doc.NewFromFiles(fset, files, lp.ImportPath); err == nil {
			d.pkg = p.Doc
			addFuncs := func(fs []*doc.Func) {
				for _, f := range fs {
					d.funcs[f.Name] = f.Doc
				}
			}
			addFuncs(p.Funcs)
			for _, t := range p.Types {
				d.types[t.Name] = t.Doc
				addFuncs(t.Funcs)
				for _, m := range t.Methods {
					if m.Level == 0 { // declared on t, not promoted from an embedded field
						d.methods[t.Name+"."+m.Name] = m.Doc
					}
				}
			}
		}
	}
	return d
}

func (d *pkgDocs) scanFile(fset *token.FileSet, f *ast.File) {
	base := filepath.Base(fset.Position(f.Pos()).Filename)
	lines := map[string]int{}
	d.declLines[base] = lines
	declared := func(id *ast.Ident) { lines[id.Name] = fset.Position(id.Pos()).Line }
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv != nil && len(decl.Recv.List) == 1 {
				key := recvTypeName(decl.Recv.List[0].Type) + "." + decl.Name.Name
				d.methods[key] = decl.Doc.Text()
				lines[key] = fset.Position(decl.Name.Pos()).Line
			} else {
				d.funcs[decl.Name.Name] = decl.Doc.Text()
				declared(decl.Name)
			}
			d.scanExpr(fset, decl.Type)
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					text := spec.Doc.Text()
					if text == "" && len(decl.Specs) == 1 {
						text = decl.Doc.Text()
					}
					d.types[spec.Name.Name] = text
					declared(spec.Name)
					d.scanExpr(fset, spec.Type)
				case *ast.ValueSpec:
					// A const/var's own comment wins over its group's.
					text := spec.Doc.Text()
					if text == "" {
						text = spec.Comment.Text()
					}
					if text == "" {
						text = decl.Doc.Text()
					}
					for _, n := range spec.Names {
						d.values[n.Name] = text
						declared(n)
					}
					if spec.Type != nil {
						d.scanExpr(fset, spec.Type)
					}
				}
			}
		}
	}
}

// scanExpr records the docs of the struct fields and interface methods in a type
// expression, at any depth.
func (d *pkgDocs) scanExpr(fset *token.FileSet, e ast.Node) {
	ast.Inspect(e, func(n ast.Node) bool {
		var list *ast.FieldList
		switch n := n.(type) {
		case *ast.StructType:
			list = n.Fields
		case *ast.InterfaceType:
			list = n.Methods
		default:
			return true
		}
		for _, fld := range list.List {
			text := fld.Doc.Text()
			if text == "" {
				text = fld.Comment.Text()
			}
			if text == "" {
				continue
			}
			if len(fld.Names) == 0 { // embedded: named after its type
				p := fset.Position(fld.Type.Pos())
				d.byPos[posKey(filepath.Base(p.Filename), p.Line, embeddedName(fld.Type))] = text
			}
			for _, n := range fld.Names {
				p := fset.Position(n.Pos())
				d.byPos[posKey(filepath.Base(p.Filename), p.Line, n.Name)] = text
			}
		}
		return true
	})
}

func recvTypeName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr: // generic receiver T[P]
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

func embeddedName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.SelectorExpr:
			return t.Sel.Name
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

func posKey(file string, line int, name string) string {
	return file + ":" + strconv.Itoa(line) + ":" + name
}

// ---- extraction ----

type extractor struct {
	fset    *token.FileSet
	imp     types.Importer
	listed  map[string]*listPackage
	docs    map[string]*pkgDocs
	named   map[string]*NamedType
	pending []*types.Named
	offsets map[string]int // "pkgpath file.go" -> lineOffset
	// rename maps a method's receiver type parameters to the names its generic
	// type declared: in func (p Pair[A, B]) M() A, "A" is Pair's K.
	rename map[*types.TypeParam]string
	queued map[string]bool
	// noWalk > 0 while describing an unexported struct field: its type is
	// described, but named types reached only through it are not pulled in
	// (they are implementation details; pulling them in drags in runtime internals).
	noWalk int
}

func (e *extractor) docsOf(pkg *types.Package) *pkgDocs {
	if pkg == nil {
		return nil
	}
	path := pkg.Path()
	if d, ok := e.docs[path]; ok {
		return d
	}
	var d *pkgDocs
	if lp := e.listed[path]; lp != nil && lp.Dir != "" {
		d = parseDocs(lp)
	}
	e.docs[path] = d
	return d
}

// position is where obj is declared in its package's source: file base name and line.
func (e *extractor) position(obj types.Object) (file string, line int) {
	if !obj.Pos().IsValid() {
		return "", 0
	}
	p := e.fset.Position(obj.Pos())
	if p.Filename == "" {
		return "", 0
	}
	file = filepath.Base(p.Filename)
	return file, p.Line - e.lineOffset(obj.Pkg(), file)
}

// lineOffset corrects export-data lines in cgo files. The compiler sees cgo's
// rewrite of x.go (x.cgo1.go: a 3-line header, then "//line x.go:1:1" and the
// source), and the gc importer keeps the //line file name but drops the line
// adjustment, so lines come out shifted. The shift is measured, not assumed: it
// is the difference between the export-data line and the source line of any
// package-level object declared in that file.
func (e *extractor) lineOffset(pkg *types.Package, file string) int {
	d := e.docsOf(pkg)
	if d == nil || !d.cgoFiles[file] {
		return 0 // plain Go files are compiled as written
	}
	k := pkg.Path() + " " + file
	if off, ok := e.offsets[k]; ok {
		return off
	}
	off := 0
	names := make([]string, 0, len(d.declLines[file]))
	for name := range d.declLines[file] {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		obj := lookupDecl(pkg, name)
		if obj == nil || !obj.Pos().IsValid() {
			continue // not in export data (unexported and unused), try another
		}
		if p := e.fset.Position(obj.Pos()); filepath.Base(p.Filename) == file {
			off = p.Line - d.declLines[file][name]
			break
		}
	}
	e.offsets[k] = off
	return off
}

// lookupDecl finds a package-level object, or a method given as "Type.Method".
func lookupDecl(pkg *types.Package, name string) types.Object {
	typ, meth, isMethod := strings.Cut(name, ".")
	obj := pkg.Scope().Lookup(typ)
	if !isMethod || obj == nil {
		return obj
	}
	if n, ok := types.Unalias(obj.Type()).(*types.Named); ok {
		for i := 0; i < n.NumMethods(); i++ {
			if n.Method(i).Name() == meth {
				return n.Method(i)
			}
		}
	}
	return nil
}

func (e *extractor) pos(obj types.Object) string {
	file, line := e.position(obj)
	if file == "" {
		return ""
	}
	return file + ":" + strconv.Itoa(line)
}

func namedKey(obj *types.TypeName) string {
	if obj.Pkg() == nil {
		return obj.Name() // universe: error, comparable
	}
	return obj.Pkg().Path() + "." + obj.Name()
}

func pkgPath(obj types.Object) string {
	if obj.Pkg() == nil {
		return ""
	}
	return obj.Pkg().Path()
}

func (e *extractor) enqueue(n *types.Named) {
	if e.noWalk > 0 {
		return
	}
	n = n.Origin()
	k := namedKey(n.Obj())
	if !e.queued[k] {
		e.queued[k] = true
		e.pending = append(e.pending, n)
	}
}

func basicName(b *types.Basic) string {
	if b.Kind() == types.UnsafePointer {
		return "unsafe.Pointer"
	}
	// Typ is indexed by kind, which folds byte->uint8 and rune->int32.
	return types.Typ[b.Kind()].Name()
}

func (e *extractor) typeRef(t types.Type) *TypeRef {
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		r := &TypeRef{Kind: "basic", Name: basicName(t)}
		if n := t.Name(); n == "byte" || n == "rune" {
			r.Alias = n // a character type: Python may pass a one-character str
		}
		return r
	case *types.Named:
		e.enqueue(t)
		r := &TypeRef{Kind: "named", Name: t.Obj().Name(), Pkg: pkgPath(t.Obj())}
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				r.TypeArgs = append(r.TypeArgs, e.typeRef(args.At(i)))
			}
		}
		return r
	case *types.TypeParam:
		if name, ok := e.rename[t]; ok {
			return &TypeRef{Kind: "typeparam", Name: name}
		}
		return &TypeRef{Kind: "typeparam", Name: t.Obj().Name()}
	case *types.Pointer:
		return &TypeRef{Kind: "pointer", Elem: e.typeRef(t.Elem())}
	case *types.Slice:
		return &TypeRef{Kind: "slice", Elem: e.typeRef(t.Elem())}
	case *types.Array:
		return &TypeRef{Kind: "array", Elem: e.typeRef(t.Elem()), Length: t.Len()}
	case *types.Map:
		return &TypeRef{Kind: "map", Key: e.typeRef(t.Key()), Elem: e.typeRef(t.Elem())}
	case *types.Chan:
		dir := map[types.ChanDir]string{types.SendRecv: "both", types.SendOnly: "send", types.RecvOnly: "recv"}[t.Dir()]
		return &TypeRef{Kind: "chan", Elem: e.typeRef(t.Elem()), Dir: dir}
	case *types.Signature:
		params, results := e.signature(t)
		return &TypeRef{Kind: "func", Params: params, Results: results, Variadic: t.Variadic()}
	case *types.Interface:
		r := &TypeRef{Kind: "interface", EmbedsNonMethods: !t.IsMethodSet()}
		fns := make([]*types.Func, t.NumMethods())
		for i := range fns {
			fns[i] = t.Method(i)
		}
		// By name; two unexported methods from different packages may share one.
		sort.SliceStable(fns, func(i, j int) bool {
			if fns[i].Name() != fns[j].Name() {
				return fns[i].Name() < fns[j].Name()
			}
			return pkgPath(fns[i]) < pkgPath(fns[j])
		})
		for _, f := range fns {
			m := e.method(f)
			m.Doc = e.posDoc(f)
			r.Methods = append(r.Methods, m)
		}
		return r
	case *types.Struct:
		r := &TypeRef{Kind: "struct"}
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			// An unexported embedded field is walked all the same: its type's exported
			// methods are promoted (net.IPConn's Close comes from the unexported net.conn).
			hidden := !f.Exported() && !f.Embedded()
			if hidden {
				e.noWalk++
			}
			r.Fields = append(r.Fields, Field{
				Name: f.Name(), Type: e.typeRef(f.Type()), Exported: f.Exported(),
				Embedded: f.Embedded(), Doc: e.posDoc(f),
			})
			if hidden {
				e.noWalk--
			}
		}
		return r
	}
	// Only types.Tuple and types.Union are left; neither can be a value's type.
	panic(fmt.Sprintf("unexpected type %T: %v", t, t))
}

// posDoc finds the doc of a struct field or interface method by its position.
func (e *extractor) posDoc(obj types.Object) string {
	d := e.docsOf(obj.Pkg())
	file, line := e.position(obj)
	if d == nil || file == "" {
		return ""
	}
	return d.byPos[posKey(file, line, obj.Name())]
}

func (e *extractor) params(t *types.Tuple) []Param {
	ps := []Param{} // never null: params/results are required fields
	for i := 0; i < t.Len(); i++ {
		v := t.At(i)
		ps = append(ps, Param{Name: v.Name(), Type: e.typeRef(v.Type())})
	}
	return ps
}

func (e *extractor) signature(sig *types.Signature) (params, results []Param) {
	return e.params(sig.Params()), e.params(sig.Results())
}

func (e *extractor) method(f *types.Func) Method {
	sig := f.Type().(*types.Signature)
	if rtps := sig.RecvTypeParams(); rtps.Len() > 0 {
		named, _ := types.Unalias(derefRecv(sig.Recv().Type())).(*types.Named)
		if named != nil {
			tps := named.Origin().TypeParams()
			e.rename = map[*types.TypeParam]string{}
			for i := 0; i < rtps.Len() && i < tps.Len(); i++ {
				e.rename[rtps.At(i)] = tps.At(i).Obj().Name()
			}
			defer func() { e.rename = nil }()
		}
	}
	params, results := e.signature(sig)
	m := Method{Name: f.Name(), Params: params, Results: results, Variadic: sig.Variadic(), Pos: e.pos(f)}
	if recv := sig.Recv(); recv != nil {
		_, m.PointerReceiver = types.Unalias(recv.Type()).(*types.Pointer)
	}
	return m
}

func derefRecv(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// constraints describes the constraint of each type parameter in l.
func (e *extractor) constraints(l *types.TypeParamList) []Constraint {
	var out []Constraint
	for i := 0; i < l.Len(); i++ {
		tp := l.At(i)
		c := Constraint{Spelling: types.TypeString(tp.Constraint(), nil)}
		if iface, ok := tp.Constraint().Underlying().(*types.Interface); ok {
			c.Comparable = iface.IsComparable() && !iface.IsMethodSet()
			if types.Identical(tp.Constraint(), types.Universe.Lookup("comparable").Type()) {
				c.Comparable = true
			}
			for j := 0; j < iface.NumMethods(); j++ {
				c.Methods = append(c.Methods, iface.Method(j).Name())
			}
			sort.Strings(c.Methods)
			c.Terms, c.Restricted = e.typeSet(iface, 0)
		}
		out = append(out, c)
	}
	return out
}

// typeSet flattens an interface's type-set terms: the union of each embedded union
// (through embedded interfaces such as constraints.Integer's Signed | Unsigned), and
// the intersection, by spelling, of several embedded elements. restricted is false when
// the interface puts no term on the type set (any, comparable, a method set).
func (e *extractor) typeSet(iface *types.Interface, depth int) (terms []Term, restricted bool) {
	if depth > 8 {
		return nil, false
	}
	for i := 0; i < iface.NumEmbeddeds(); i++ {
		var elem []Term
		elemRestricted := true
		switch t := iface.EmbeddedType(i).(type) {
		case *types.Union:
			for j := 0; j < t.Len(); j++ {
				term := t.Term(j)
				if inner, ok := term.Type().Underlying().(*types.Interface); ok && !term.Tilde() {
					sub, r := e.typeSet(inner, depth+1)
					if !r {
						elemRestricted = false
					}
					elem = append(elem, sub...)
					continue
				}
				elem = append(elem, Term{Tilde: term.Tilde(), Type: e.typeRef(term.Type())})
			}
		default:
			if inner, ok := t.Underlying().(*types.Interface); ok {
				elem, elemRestricted = e.typeSet(inner, depth+1)
			} else {
				elem = []Term{{Type: e.typeRef(t)}}
			}
		}
		if !elemRestricted {
			continue
		}
		if !restricted {
			terms, restricted = elem, true
			continue
		}
		keep := map[string]bool{}
		for _, t := range elem {
			keep[termKey(t)] = true
		}
		var both []Term
		for _, t := range terms {
			if keep[termKey(t)] {
				both = append(both, t)
			}
		}
		terms = both
	}
	return terms, restricted
}

func termKey(t Term) string {
	b, _ := json.Marshal(t)
	return string(b)
}

func typeParamNames(l *types.TypeParamList) []string {
	var names []string
	for i := 0; i < l.Len(); i++ {
		names = append(names, l.At(i).Obj().Name())
	}
	return names
}

// describeNamed fills Surface.named for one (origin) named type.
func (e *extractor) describeNamed(n *types.Named) *NamedType {
	obj := n.Obj()
	nt := &NamedType{
		Pkg: pkgPath(obj), Name: obj.Name(), Underlying: e.typeRef(n.Underlying()),
		TypeParams: typeParamNames(n.TypeParams()), Pos: e.pos(obj),
	}
	d := e.docsOf(obj.Pkg())
	if d != nil {
		nt.Doc = d.types[obj.Name()]
	}
	// A named interface's methods are those of its underlying interface literal;
	// Named.Method would list them again, so only other types list methods here.
	if _, isIface := n.Underlying().(*types.Interface); !isIface {
		for i := 0; i < n.NumMethods(); i++ {
			f := n.Method(i)
			if !f.Exported() {
				continue
			}
			m := e.method(f)
			if d != nil {
				m.Doc = d.methods[obj.Name()+"."+f.Name()]
			}
			nt.Methods = append(nt.Methods, m)
		}
		sort.Slice(nt.Methods, func(i, j int) bool { return nt.Methods[i].Name < nt.Methods[j].Name })
	}
	return nt
}

func constValue(c *types.Const) (kind, value string, err error) {
	b, ok := c.Type().Underlying().(*types.Basic)
	if !ok {
		return "", "", fmt.Errorf("constant %s has non-basic type %v", c.Name(), c.Type())
	}
	// The kind follows the type, not the value's representation: go/constant may
	// hold 2.0 (float64) as an Int, or 'a' (rune) as an Int.
	v := c.Val()
	info := b.Info()
	switch {
	case info&types.IsBoolean != 0:
		return "bool", strconv.FormatBool(constant.BoolVal(v)), nil
	case info&types.IsString != 0:
		// Hex, because Go strings are bytes and may not be valid UTF-8.
		return "string", hex.EncodeToString([]byte(constant.StringVal(v))), nil
	case info&types.IsInteger != 0:
		return "int", constant.ToInt(v).ExactString(), nil
	case info&types.IsFloat != 0:
		return "float", formatFloat(constant.ToFloat(v)), nil
	case info&types.IsComplex != 0:
		v = constant.ToComplex(v)
		return "complex", formatFloat(constant.Real(v)) + "," + formatFloat(constant.Imag(v)), nil
	}
	return "", "", fmt.Errorf("constant %s has unsupported type %v", c.Name(), c.Type())
}

// formatFloat gives the nearest float64 in shortest round-trip form; a value too
// large for float64 comes back from Float64Val as ±Inf, printed "+Inf"/"-Inf".
func formatFloat(v constant.Value) string {
	f, _ := constant.Float64Val(v)
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (e *extractor) extractPackage(lp *listPackage) (Package, error) {
	tp, err := e.imp.Import(lp.ImportPath)
	if err != nil {
		return Package{}, err
	}
	d := e.docsOf(tp)
	out := Package{Path: lp.ImportPath, Name: lp.Name, Standard: lp.Standard}
	if d != nil {
		out.Doc = d.pkg
	}
	if !lp.Standard && lp.Module != nil {
		m := &Module{Path: lp.Module.Path, Version: lp.Module.Version}
		if r := lp.Module.Replace; r != nil {
			m.Version = r.Version // "" when replaced by a local directory
		}
		out.Module = m
	}
	scope := tp.Scope()
	for _, name := range scope.Names() { // sorted
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		pos := e.pos(obj)
		switch obj := obj.(type) {
		case *types.Func:
			sig := obj.Type().(*types.Signature)
			params, results := e.signature(sig)
			f := Func{Name: name, Params: params, Results: results, Variadic: sig.Variadic(),
				TypeParams: typeParamNames(sig.TypeParams()), Constraints: e.constraints(sig.TypeParams()), Pos: pos}
			if d != nil {
				f.Doc = d.funcs[name]
			}
			out.Funcs = append(out.Funcs, f)
		case *types.TypeName:
			if obj.IsAlias() {
				// The model has no aliases: they resolve to what they name. An
				// exported alias still exposes its target, so that is reachable.
				e.typeRef(obj.Type())
				continue
			}
			if n, ok := obj.Type().(*types.Named); ok {
				e.enqueue(n)
				out.Types = append(out.Types, namedKey(obj))
			}
		case *types.Const:
			kind, value, err := constValue(obj)
			if err != nil {
				return Package{}, err
			}
			c := Const{Name: name, Type: e.typeRef(obj.Type()), Kind: kind, Value: value, Pos: pos}
			if d != nil {
				c.Doc = d.values[name]
			}
			out.Consts = append(out.Consts, c)
		case *types.Var:
			v := Var{Name: name, Type: e.typeRef(obj.Type()), Pos: pos}
			if d != nil {
				v.Doc = d.values[name]
			}
			out.Vars = append(out.Vars, v)
		}
	}
	return out, nil
}

func run(args []string) error {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return fmt.Errorf("bad package argument %q", a)
		}
	}
	pkgs, err := goList(args)
	if err != nil {
		return err
	}
	e := &extractor{
		fset:    token.NewFileSet(),
		listed:  map[string]*listPackage{},
		docs:    map[string]*pkgDocs{},
		named:   map[string]*NamedType{},
		queued:  map[string]bool{},
		offsets: map[string]int{},
	}
	for _, p := range pkgs {
		e.listed[p.ImportPath] = p
	}
	req := roots(args, pkgs)
	for _, p := range req {
		if p.Error != nil {
			return fmt.Errorf("package %s: %s", p.ImportPath, oneLine(p.Error.Err))
		}
		if len(p.DepsErrors) > 0 {
			return fmt.Errorf("package %s: dependency error: %s", p.ImportPath, oneLine(p.DepsErrors[0].Err))
		}
	}
	// One importer for all packages, so a type shared by two of them is one object.
	e.imp = importer.ForCompiler(e.fset, "gc", func(path string) (io.ReadCloser, error) {
		p := e.listed[path]
		if p == nil || p.Export == "" {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(p.Export)
	})
	s := Surface{GoVersion: runtime.Version(), Packages: []Package{}, Named: e.named}
	for _, p := range req {
		out, err := e.extractPackage(p)
		if err != nil {
			return fmt.Errorf("package %s: %v", p.ImportPath, err)
		}
		s.Packages = append(s.Packages, out)
	}
	// Transitive closure: describing a type may reach more named types.
	for len(e.pending) > 0 {
		n := e.pending[0]
		e.pending = e.pending[1:]
		e.named[namedKey(n.Obj())] = e.describeNamed(n)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: extractor PKG... | extractor -decodes PKG...")
		os.Exit(2)
	}
	run := run
	args := os.Args[1:]
	if args[0] == "-decodes" { // the body scan of decodes.go, for goffi.decoding
		run, args = runDecodes, args[1:]
	}
	if err := run(args); err != nil {
		fmt.Fprintln(os.Stderr, "extractor: "+oneLine(err.Error()))
		os.Exit(1)
	}
}
