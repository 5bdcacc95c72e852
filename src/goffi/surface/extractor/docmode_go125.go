//go:build go1.25

package main

import "go/parser"

// docParseMode is how parseDocs parses a package's files for go/doc. From Go 1.25 on,
// go/doc builds its package without ast.NewPackage, so the files need no object
// resolution (which costs time and memory).
const docParseMode = parser.ParseComments | parser.SkipObjectResolution
