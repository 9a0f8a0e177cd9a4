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

/// Defines, for a list `FUNCTIONS(X, V)` of X(return type, name, (parameters),
/// (arguments), value when not loaded) and V(name, (parameters), (arguments))
/// for functions returning nothing: the library (`soname`, found in `package`,
/// `too_old` when a function is missing), `load_error` and `probe` (see
/// sosplan_library_load_error and sosplan_library_probe), and each function
/// with its own name and prototype (the compiler checks them against the
/// real header) forwarding to the library's. The forwarders are hidden, so
/// that the library's own calls never bind to them.
#define SOSPLAN_LIBRARY_DEFINE(FUNCTIONS, soname, package, too_old, load_error, probe)                                 \
    enum { FUNCTIONS(SOSPLAN_LIBRARY_INDEX, SOSPLAN_LIBRARY_INDEX_VOID) SOSPLAN_LIBRARY_COUNT };                       \
    static const char *const sosplan_symbols[] = {FUNCTIONS(SOSPLAN_LIBRARY_NAME, SOSPLAN_LIBRARY_NAME_VOID)};         \
    static const sosplan_library_spec sosplan_spec = {soname, package, too_old, sosplan_symbols,                       \
                                                      SOSPLAN_LIBRARY_COUNT};                                          \
    static void *sosplan_slots[SOSPLAN_LIBRARY_COUNT];                                                                 \
    static sosplan_library sosplan_the_library = SOSPLAN_LIBRARY_INIT(&sosplan_spec, sosplan_slots);                  \
    const char *load_error(void) { return sosplan_library_load_error(&sosplan_the_library); }                          \
    const char *probe(const char *name) {                                                                              \
        static char error[512];                                                                                        \
        return sosplan_library_probe(&sosplan_spec, name, error, sizeof error);                                        \
    }                                                                                                                  \
    FUNCTIONS(SOSPLAN_LIBRARY_FORWARD, SOSPLAN_LIBRARY_FORWARD_VOID)

#define SOSPLAN_LIBRARY_INDEX(ret, name, params, args, fallback) SOSPLAN_LIBRARY_##name,
#define SOSPLAN_LIBRARY_INDEX_VOID(name, params, args) SOSPLAN_LIBRARY_##name,
#define SOSPLAN_LIBRARY_NAME(ret, name, params, args, fallback) #name,
#define SOSPLAN_LIBRARY_NAME_VOID(name, params, args) #name,
#define SOSPLAN_LIBRARY_FORWARD(ret, name, params, args, fallback)                                                    \
    __attribute__((visibility("hidden"))) ret name params {                                                            \
        if (!sosplan_library_loaded(&sosplan_the_library)) return fallback;                                            \
        return ((ret(*) params)sosplan_slots[SOSPLAN_LIBRARY_##name]) args;                                            \
    }
#define SOSPLAN_LIBRARY_FORWARD_VOID(name, params, args)                                                              \
    __attribute__((visibility("hidden"))) void name params {                                                           \
        if (sosplan_library_loaded(&sosplan_the_library))                                                              \
            ((void (*) params)sosplan_slots[SOSPLAN_LIBRARY_##name]) args;                                             \
    }

#endif
