// libnuma, opened when the live host's NUMA nodes are first asked for rather
// than linked: linking it makes every sosplan process map it and run its
// constructor (numa_init reads /proc/self/status, cpu/possible and the node
// folders) at exec, for `sosplan --version` and `observe --root` too.
//
// Each function below has the name and prototype of the one in <numa.h> (the
// compiler checks them against it) and forwards to the library's. They are
// hidden, so that libnuma's own calls never bind to them.

#include "CNuma.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define HIDDEN __attribute__((visibility("hidden")))

// X(return type, name, (parameters), (arguments), value when not loaded)
// Not loaded, numa_available() says -1 like a kernel without NUMA, and
// sosplan_numa_load_error() says why.
#define SOSPLAN_NUMA_FUNCTIONS(X)                                                                                      \
    X(int, numa_available, (void), (), -1)                                                                             \
    X(int, numa_max_node, (void), (), -1)                                                                              \
    X(long long, numa_node_size64, (int node, long long *freep), (node, freep), -1)                                    \
    X(struct bitmask *, numa_allocate_cpumask, (void), (), NULL)                                                       \
    X(int, numa_node_to_cpus, (int node, struct bitmask *mask), (node, mask), -1)                                      \
    X(int, numa_distance, (int node1, int node2), (node1, node2), 0)

// One pointer per function, plus numa_bitmask_free (void, so not in the list).
static struct {
#define SOSPLAN_POINTER(ret, name, params, args, fallback) ret(*name) params;
    SOSPLAN_NUMA_FUNCTIONS(SOSPLAN_POINTER)
#undef SOSPLAN_POINTER
    void (*numa_bitmask_free)(struct bitmask *mask);
} table;

static const char *const soname = "libnuma.so.1";
static char load_error[512];
static const char *load_result = "libnuma.so.1 not loaded yet";
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

// Opens `name` and fills `into` with every function: the library's handle,
// or NULL with why not in `error`. dlsym gives each symbol's default version
// (numa_node_to_cpus@@libnuma_1.2, the bitmask API the header declares).
static void *open_library(const char *name, __typeof__(table) *into, char *error, size_t size) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, size, "%s could not be loaded (%s); the NUMA library is package libnuma1", name,
                 why ? why : "unknown reason");
        return NULL;
    }
    const char *missing = NULL;
#define SOSPLAN_RESOLVE(ret, fname, params, args, fallback)                                                           \
    if (missing == NULL && (into->fname = (ret(*) params)dlsym(handle, #fname)) == NULL) missing = #fname;
    SOSPLAN_NUMA_FUNCTIONS(SOSPLAN_RESOLVE)
#undef SOSPLAN_RESOLVE
    if (missing == NULL &&
        (into->numa_bitmask_free = (void (*)(struct bitmask *))dlsym(handle, "numa_bitmask_free")) == NULL)
        missing = "numa_bitmask_free";
    if (missing != NULL) {
        snprintf(error, size, "%s has no %s (libnuma too old?)", name, missing);
        dlclose(handle);
        return NULL;
    }
    return handle;
}

static void load(void) {
    if (open_library(soname, &table, load_error, sizeof load_error) != NULL) {
        load_result = NULL;
    } else {
        memset(&table, 0, sizeof table);
        load_result = load_error;
    }
}

static int loaded(void) {
    pthread_once(&load_once, load);
    return load_result == NULL;
}

const char *sosplan_numa_load_error(void) {
    pthread_once(&load_once, load);
    return load_result;
}

const char *sosplan_numa_probe_library(const char *name) {
    static char error[512];
    __typeof__(table) scratch;
    void *handle = open_library(name, &scratch, error, sizeof error);
    if (handle == NULL) return error;
    dlclose(handle);
    return NULL;
}

#define SOSPLAN_FORWARD(ret, name, params, args, fallback)                                                            \
    HIDDEN ret name params {                                                                                           \
        if (!loaded()) return fallback;                                                                                \
        return table.name args;                                                                                        \
    }
SOSPLAN_NUMA_FUNCTIONS(SOSPLAN_FORWARD)
#undef SOSPLAN_FORWARD

HIDDEN void numa_bitmask_free(struct bitmask *mask) {
    if (loaded()) table.numa_bitmask_free(mask);
}
