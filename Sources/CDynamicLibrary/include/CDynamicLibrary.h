#ifndef SOSPLAN_CDYNAMICLIBRARY_H
#define SOSPLAN_CDYNAMICLIBRARY_H

// A C library opened on first use (dlopen) instead of linked, for the loaders
// of CSystemd and CNuma: the library, every function sosplan calls from it,
// and why it could not be opened, with the package that provides it.

#include <pthread.h>
#include <stddef.h>

typedef struct {
    /// The shared object opened, e.g. "libnuma.so.1".
    const char *soname;
    /// What a host without it installs, for the message ("package libnuma1").
    const char *package;
    /// What a library without one of the functions most likely is
    /// ("libnuma too old?").
    const char *too_old;
    /// The functions, resolved into `slots` in this order.
    const char *const *symbols;
    size_t count;
} sosplan_library_spec;

typedef struct {
    const sosplan_library_spec *spec;
    /// One address per symbol once loaded; all NULL when loading failed.
    void **slots;
    pthread_mutex_t lock;
    int done;
    /// NULL once loaded, else why not (`error`, or "not loaded yet").
    const char *result;
    char error[512];
} sosplan_library;

#define SOSPLAN_LIBRARY_INIT(spec_pointer, slot_array)                                                                 \
    { (spec_pointer), (slot_array), PTHREAD_MUTEX_INITIALIZER, 0, NULL, {0} }

/// Loads the library on the first call (once per process, thread-safe):
/// nonzero when every function resolved.
int sosplan_library_loaded(sosplan_library *library);

/// NULL once the library is loaded; otherwise why it is not (loads it first).
const char *sosplan_library_load_error(sosplan_library *library);

/// Opens `soname` instead of the spec's and resolves every function without
/// keeping it: NULL when that works, else why not (in `error`). For tests of
/// the message a host without the library gets.
const char *sosplan_library_probe(const sosplan_library_spec *spec, const char *soname, char *error, size_t size);

#endif
