#ifndef SOSPLAN_CSYSTEMD_H
#define SOSPLAN_CSYSTEMD_H

// sd-bus and sd-daemon as the Swift code sees them: the real headers for the
// types, constants and prototypes. The functions themselves are defined in
// systemd_loader.c, which opens libsystemd.so.0 on first use, so a command
// that never talks to systemd does not load it and its dependencies at exec.
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

/// NULL once libsystemd.so.0 is loaded with every function sosplan calls;
/// otherwise why it is not (the first call loads it).
const char *sosplan_systemd_load_error(void);

/// Opens `soname` and resolves every function sosplan calls, without keeping
/// it: NULL when that works, else why not (a static buffer). For tests of the
/// message a host without the library gets.
const char *sosplan_systemd_probe_library(const char *soname);

#endif
