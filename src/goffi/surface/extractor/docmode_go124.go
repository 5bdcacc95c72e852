//go:build !go1.25

package main

import "go/parser"

// docParseMode is how parseDocs parses a package's files for go/doc. Go 1.24's
// doc.NewFromFiles calls ast.NewPackage, which dereferences each file's Scope: a file
// parsed with SkipObjectResolution has none, and go/doc panics.
const docParseMode = parser.ParseComments
