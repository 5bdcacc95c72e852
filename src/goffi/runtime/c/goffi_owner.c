/*
 * goffi_owner.c: the earliest loaded library's definition of a symbol.
 *
 * Each bundle links its own copy of goffi's C runtime. State that must be one per process
 * (the SIGINT handler of goffi_signal.c, the SIGURG chain of goffi_sigurg.c) belongs to
 * the copy in the earliest loaded library that defines it: every copy finds that one here
 * and acts through it. dl_iterate_phdr lists the loaded objects in load order; their names
 * are copied out and looked up afterwards, since dlopen must not run inside the iteration.
 * A Go library is never unloaded (Go marks it NODELETE), so what this finds stays valid.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr, dladdr */
#endif
#include "goffi.h"

#include <stddef.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char **names;
    size_t n, cap;
} goffi_loaded_objects;

static int goffi_collect_object(struct dl_phdr_info *info, size_t size, void *data) {
    goffi_loaded_objects *o = data;
    (void)size;
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0') {
        return 0; /* the program itself */
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        char **names = realloc(o->names, cap * sizeof *names);
        if (names == NULL) {
            return 1;
        }
        o->names = names;
        o->cap = cap;
    }
    if ((o->names[o->n] = strdup(info->dlpi_name)) != NULL) {
        o->n++;
    }
    return 0;
}

__attribute__((visibility("hidden"))) const void *goffi_first_definition(const char *symbol,
                                                                       int (*accept)(const void *)) {
    const void *found = NULL;
    goffi_loaded_objects o = {NULL, 0, 0};
    size_t i;
    dl_iterate_phdr(goffi_collect_object, &o);
    for (i = 0; i < o.n && found == NULL; i++) {
        void *lib = dlopen(o.names[i], RTLD_NOLOAD | RTLD_LAZY | RTLD_LOCAL);
        if (lib == NULL) {
            continue;
        }
        const void *candidate = dlsym(lib, symbol);
        Dl_info where;
        /* Defined by this object itself (dlsym also searches its dependencies), and of the
         * caller's protocol (its magic and version). */
        if (candidate != NULL && dladdr(candidate, &where) != 0 && where.dli_fname != NULL &&
            strcmp(where.dli_fname, o.names[i]) == 0 && accept(candidate)) {
            found = candidate;
        }
        dlclose(lib);
    }
    for (i = 0; i < o.n; i++) {
        free(o.names[i]);
    }
    free(o.names);
    return found;
}
#else
__attribute__((visibility("hidden"))) const void *goffi_first_definition(const char *symbol,
                                                                       int (*accept)(const void *)) {
    (void)symbol;
    (void)accept;
    return NULL; /* one runtime per process elsewhere: each copy uses its own */
}
#endif
