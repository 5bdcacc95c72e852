// Command countapi lists the exported functions and methods go/types declares for each
// package named on the command line, one per line: "<path>\tfunc\t<Name>" or
// "<path>\tmethod\t<Type>.<Name>". A method is listed for every exported, non-alias type
// of the package whose method set has it: the method set of *T (value and pointer
// receivers, promoted methods included) or, for an interface, its own methods.
//
// It is the independent oracle of tests/test_named.py's inspect count: it type-checks
// from source with go/importer, sharing no code with goffi's surface extractor.
package main

import (
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"os"
	"sort"
)

func main() {
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	for _, path := range os.Args[1:] {
		pkg, err := imp.Import(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var lines []string
		scope := pkg.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if !obj.Exported() {
				continue
			}
			switch o := obj.(type) {
			case *types.Func:
				lines = append(lines, path+"\tfunc\t"+name)
			case *types.TypeName:
				if o.IsAlias() {
					continue
				}
				t := o.Type()
				var ms *types.MethodSet
				if types.IsInterface(t) {
					ms = types.NewMethodSet(t)
				} else {
					ms = types.NewMethodSet(types.NewPointer(t))
				}
				for i := 0; i < ms.Len(); i++ {
					if m := ms.At(i).Obj(); m.Exported() {
						lines = append(lines, path+"\tmethod\t"+name+"."+m.Name())
					}
				}
			}
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Println(l)
		}
	}
}
