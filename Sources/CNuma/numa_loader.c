// libnuma, opened when the live host's NUMA nodes are first asked for rather
// than linked: linking it makes every sosplan process map it and run its
// constructor (numa_init reads /proc/self/status, cpu/possible and the node
// folders) at exec, for `sosplan --version` and `observe --root` too.
//
// Each function below has the name and prototype of the one in <numa.h> (the
// compiler checks them against it) and forwards to the library's. They are
// hidden, so that libnuma's own calls never bind to them.

#include "CNuma.h"

#include <CDynamicLibrary.h>

// X(return type, name, (parameters), (arguments), value when not loaded);
// V(name, (parameters), (arguments)) for those returning nothing. Not loaded,
// numa_available() says -1 like a kernel without NUMA, and
// sosplan_numa_load_error() says why.
#define SOSPLAN_NUMA_FUNCTIONS(X, V)                                                                                   \
    X(int, numa_available, (void), (), -1)                                                                             \
    X(int, numa_max_node, (void), (), -1)                                                                              \
    X(long long, numa_node_size64, (int node, long long *freep), (node, freep), -1)                                    \
    X(struct bitmask *, numa_allocate_cpumask, (void), (), NULL)                                                       \
    X(int, numa_node_to_cpus, (int node, struct bitmask *mask), (node, mask), -1)                                      \
    X(int, numa_distance, (int node1, int node2), (node1, node2), 0)                                                   \
    V(numa_bitmask_free, (struct bitmask * mask), (mask))

SOSPLAN_LIBRARY_DEFINE(SOSPLAN_NUMA_FUNCTIONS, "libnuma.so.1", "the NUMA library is package libnuma1", "libnuma too old?",
                       sosplan_numa_load_error, sosplan_numa_probe_library)
