// libsystemd, opened when systemd is first asked rather than linked: linking
// it makes every sosplan process map and relocate it and the six libraries it
// needs (libgcrypt, libgpg-error, liblz4, liblzma, libzstd, libcap) at exec,
// a third of `sosplan --version`.
//
// Each function below has the name and prototype of the one in the real
// header (the compiler checks them against it) and forwards to the library's.
// They are hidden: the executable exports its symbols, and libsystemd's own
// calls must not come back here. Only non-variadic functions are used.

#include "CSystemd.h"

#include <CDynamicLibrary.h>
#include <errno.h>

// X(return type, name, (parameters), (arguments), value when not loaded);
// V(name, (parameters), (arguments)) for those returning nothing.
#define SOSPLAN_SYSTEMD_FUNCTIONS(X, V)                                                                                  \
    X(int, sd_bus_new, (sd_bus **ret), (ret), -ENOSYS)                                                                 \
    X(int, sd_bus_open_system, (sd_bus **ret), (ret), -ENOSYS)                                                         \
    X(int, sd_bus_set_address, (sd_bus *bus, const char *address), (bus, address), -ENOSYS)                            \
    X(int, sd_bus_set_bus_client, (sd_bus *bus, int b), (bus, b), -ENOSYS)                                             \
    X(int, sd_bus_set_description, (sd_bus *bus, const char *description), (bus, description), -ENOSYS)                \
    X(int, sd_bus_start, (sd_bus *bus), (bus), -ENOSYS)                                                                \
    X(sd_bus *, sd_bus_flush_close_unref, (sd_bus *bus), (bus), NULL)                                                  \
    X(int, sd_bus_process, (sd_bus *bus, sd_bus_message **r), (bus, r), -ENOSYS)                                       \
    X(int, sd_bus_wait, (sd_bus *bus, uint64_t timeout_usec), (bus, timeout_usec), -ENOSYS)                            \
    X(int, sd_bus_call,                                                                                                \
      (sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply),                \
      (bus, m, usec, ret_error, reply), -ENOSYS)                                                                       \
    X(int, sd_bus_call_async,                                                                                          \
      (sd_bus *bus, sd_bus_slot **slot, sd_bus_message *m, sd_bus_message_handler_t callback, void *userdata,          \
       uint64_t usec),                                                                                                 \
      (bus, slot, m, callback, userdata, usec), -ENOSYS)                                                               \
    X(int, sd_bus_match_signal,                                                                                        \
      (sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path, const char *interface,                    \
       const char *member, sd_bus_message_handler_t callback, void *userdata),                                         \
      (bus, ret, sender, path, interface, member, callback, userdata), -ENOSYS)                                        \
    X(sd_bus_slot *, sd_bus_slot_unref, (sd_bus_slot *slot), (slot), NULL)                                             \
    X(int, sd_bus_message_new_method_call,                                                                             \
      (sd_bus *bus, sd_bus_message **m, const char *destination, const char *path, const char *interface,              \
       const char *member),                                                                                            \
      (bus, m, destination, path, interface, member), -ENOSYS)                                                         \
    X(sd_bus_message *, sd_bus_message_unref, (sd_bus_message *m), (m), NULL)                                          \
    X(int, sd_bus_message_append_basic, (sd_bus_message *m, char type, const void *p), (m, type, p), -ENOSYS)         \
    X(int, sd_bus_message_append_array, (sd_bus_message *m, char type, const void *ptr, size_t size),                 \
      (m, type, ptr, size), -ENOSYS)                                                                                   \
    X(int, sd_bus_message_open_container, (sd_bus_message *m, char type, const char *contents), (m, type, contents),  \
      -ENOSYS)                                                                                                         \
    X(int, sd_bus_message_close_container, (sd_bus_message *m), (m), -ENOSYS)                                          \
    X(int, sd_bus_message_enter_container, (sd_bus_message *m, char type, const char *contents), (m, type, contents), \
      -ENOSYS)                                                                                                         \
    X(int, sd_bus_message_exit_container, (sd_bus_message *m), (m), -ENOSYS)                                           \
    X(int, sd_bus_message_peek_type, (sd_bus_message *m, char *type, const char **contents), (m, type, contents),     \
      -ENOSYS)                                                                                                         \
    X(int, sd_bus_message_read_basic, (sd_bus_message *m, char type, void *p), (m, type, p), -ENOSYS)                 \
    X(int, sd_bus_message_read_array, (sd_bus_message *m, char type, const void **ptr, size_t *size),                 \
      (m, type, ptr, size), -ENOSYS)                                                                                   \
    X(int, sd_bus_message_skip, (sd_bus_message *m, const char *types), (m, types), -ENOSYS)                           \
    X(int, sd_bus_message_is_method_error, (sd_bus_message *m, const char *name), (m, name), -ENOSYS)                 \
    X(int, sd_bus_message_get_errno, (sd_bus_message *m), (m), -ENOSYS)                                                \
    X(const sd_bus_error *, sd_bus_message_get_error, (sd_bus_message *m), (m), NULL)                                  \
    X(int, sd_notify, (int unset_environment, const char *state), (unset_environment, state), -ENOSYS)                 \
    X(int, sd_watchdog_enabled, (int unset_environment, uint64_t *usec), (unset_environment, usec), -ENOSYS)           \
    V(sd_bus_error_free, (sd_bus_error * e), (e))

SOSPLAN_LIBRARY_DEFINE(SOSPLAN_SYSTEMD_FUNCTIONS, "libsystemd.so.0", "systemd's client library is package libsystemd0",
                       "systemd too old?", sosplan_systemd_load_error, sosplan_systemd_probe_library)
