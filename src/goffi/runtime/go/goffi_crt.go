package wrapper

// The C half of goffi's runtime (runtime/c/*.c) is not compiled with each bundle: goffi
// compiles it once per C compiler, flags and Python into a static archive (goffi.crt)
// and puts a copy next to this file. The linker takes from it the objects the bundle
// uses (goffi_bridge.o only when the bundle has channels or funcs).

// #cgo LDFLAGS: ${SRCDIR}/libgoffi_rt.a
import "C"
