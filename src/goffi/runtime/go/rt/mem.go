package rt

import (
	"fmt"
	"math"
	"math/bits"
	"runtime/debug"
)

// CheckBuffer panics with MemoryError when n elements of size bytes each need more
// memory than this process can have: more than the machine's physical memory (where
// known) or Go's memory limit (GOMEMLIMIT). Go's allocator aborts the whole process
// (a fatal "out of memory", not a panic) for a request it cannot map, so a size that
// comes from Python is checked before Go is asked. what names the request.
func CheckBuffer(what string, n int64, size uintptr) {
	if n < 0 {
		panic(NewTypeErrorText(fmt.Sprintf("%s: %d is negative", what, n)))
	}
	hi, total := bits.Mul64(uint64(n), uint64(size))
	limit := uint64(math.MaxInt64)
	if ram := physicalMemory(); ram > 0 {
		limit = ram
	}
	if gl := debug.SetMemoryLimit(-1); gl > 0 && uint64(gl) < limit {
		limit = uint64(gl)
	}
	if hi != 0 || total > limit {
		panic(MemoryError{fmt.Sprintf("%s: %d elements of %d bytes need %s, more than this process can have (%s)",
			what, n, size, bytesText(hi, total), bytesText(0, limit))})
	}
}

func bytesText(hi, n uint64) string {
	if hi != 0 {
		return "more than 16 EiB"
	}
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
