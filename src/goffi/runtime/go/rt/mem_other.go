//go:build !linux

package rt

// physicalMemory is the machine's RAM in bytes: unknown here, so only Go's memory
// limit and the address space bound a request.
func physicalMemory() uint64 { return 0 }
