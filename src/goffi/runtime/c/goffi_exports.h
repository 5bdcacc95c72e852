/*
 * goffi_exports.h: the Go functions of goffi's runtime (//export in runtime/go) that its
 * C half calls.
 *
 * The C runtime is compiled once into a static archive (goffi.crt), without a bundle, so
 * it cannot include the _cgo_export.h cgo writes for each bundle: it declares what it
 * calls here instead. Every bundle's wrapper includes this file in its cgo preamble
 * (through goffi_bundle.h), so cgo's _cgo_export.c, which defines the exports, sees it:
 * a prototype here that no longer matches its Go export is a compile error of the
 * bundle, not a wrong call at run time. Keep them in step with the //export functions
 * of goffi_cgo.go, goffi_view.go, goffi_bridge.go and goffi_chanpump.go (package rtcgo,
 * whose goffi_api.go includes this file too).
 */
#ifndef GOFFI_EXPORTS_H
#define GOFFI_EXPORTS_H

#include "goffi.h"

/* goffi_cgo.go */
extern void goffi_release(uint64_t id, int64_t refs);
extern int64_t goffi_live_handles(void);
extern void goffi_sentinel_error(int64_t index, goffi_err* e, goffi_arena* a);

/* goffi_view.go */
extern void goffi_return_loan(uint64_t id);

/* goffi_bridge.go (only in bundles built with -tags goffi_bridge, which link goffi_bridge.o) */
extern void goffi_chan_recv_batch(uint64_t id, int64_t max, int64_t timeoutNs, uint8_t try, uint64_t* slots,
                                  int32_t* kind, goffi_any* out, int64_t* n, int32_t* status, goffi_err* e,
                                  goffi_arena* arena);
extern void goffi_chan_send(uint64_t id, goffi_any* value, int64_t timeoutNs, uint8_t try, int32_t* status,
                            goffi_err* e, goffi_arena* arena);
extern void goffi_chan_close(uint64_t id, int32_t* status, goffi_err* e, goffi_arena* arena);
extern void goffi_chan_len(uint64_t id, int64_t* length, int64_t* capacity);
extern void goffi_chan_select(uint64_t* ids, uint8_t* sends, goffi_any* values, int64_t n, int64_t timeoutNs,
                              uint8_t dflt, int64_t* chosen, uint8_t* closed, goffi_any* out, goffi_err* e,
                              goffi_arena* arena);
extern void goffi_go_gc(void);

/* goffi_chanpump.go (bundles built with -tags goffi_bridge; called by goffi_chanring.c) */
extern int32_t goffi_chanpump_start(uint64_t id, goffi_ring* ring);
extern void goffi_chanpump_stop(goffi_ring* ring);
extern void goffi_chanpump_room(goffi_ring* ring);

#endif
