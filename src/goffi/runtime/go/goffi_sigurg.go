// Code copied by goffi into every bundle. DO NOT EDIT.

// goffi_sigurg.c, the process-wide SIGURG chain that keeps asynchronous preemption
// working in every Go runtime when several bundles are loaded, looks up the other
// bundles' libraries with dlopen/dlsym: glibc before 2.34 has those in libdl.

package rtcgo

/*
#cgo linux LDFLAGS: -ldl
*/
import "C"
