// Code copied by goffi into every bundle. DO NOT EDIT.

// This file is the Go side of goffi_sigurg.c, the process-wide SIGURG chain that keeps
// asynchronous preemption working in every Go runtime when several bundles are loaded.

package main

/*
#cgo linux LDFLAGS: -ldl
*/
import "C"

// goffiSigurgReady does nothing: calling it from C returns once this Go runtime has
// started (cgo waits for the runtime's initialisation before running any export), which
// is when the chain may pass this runtime's handler its signals.
//
//export goffiSigurgReady
func goffiSigurgReady() {}
