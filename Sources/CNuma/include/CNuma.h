#ifndef SOSPLAN_CNUMA_H
#define SOSPLAN_CNUMA_H

// libnuma as the Swift code sees it: the real header for the types and
// prototypes. The functions sosplan calls are defined in numa_loader.c, which
// opens libnuma.so.1 on first use, so a command that never looks at the live
// host's NUMA nodes does not map libnuma nor run its constructor at exec.
#include <numa.h>

/// NULL once libnuma.so.1 is loaded with every function sosplan calls;
/// otherwise why it is not (the first call loads it).
const char *sosplan_numa_load_error(void);

/// Opens `soname` and resolves every function sosplan calls, without keeping
/// it: NULL when that works, else why not (a static buffer). For tests of the
/// message a host without the library gets.
const char *sosplan_numa_probe_library(const char *soname);

#endif
