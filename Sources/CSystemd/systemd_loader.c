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

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define HIDDEN __attribute__((visibility("hidden")))

// X(return type, name, (parameters), (arguments), value when not loaded)
#define SOSPLAN_SYSTEMD_FUNCTIONS(X)                                                                                  \
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
    X(int, sd_watchdog_enabled, (int unset_environment, uint64_t *usec), (unset_environment, usec), -ENOSYS)

// One pointer per function, plus sd_bus_error_free (void, so not in the list).
static struct {
#define SOSPLAN_POINTER(ret, name, params, args, fallback) ret(*name) params;
    SOSPLAN_SYSTEMD_FUNCTIONS(SOSPLAN_POINTER)
#undef SOSPLAN_POINTER
    void (*sd_bus_error_free)(sd_bus_error *e);
} table;

static const char *const soname = "libsystemd.so.0";
static char load_error[512];
static const char *load_result = "libsystemd.so.0 not loaded yet";
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

// Opens `name` and fills `into` with every function: the library's handle,
// or NULL with why not in `error`.
static void *open_library(const char *name, __typeof__(table) *into, char *error, size_t size) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, size, "%s could not be loaded (%s); systemd's client library is package libsystemd0",
                 name, why ? why : "unknown reason");
        return NULL;
    }
    const char *missing = NULL;
#define SOSPLAN_RESOLVE(ret, fname, params, args, fallback)                                                           \
    if (missing == NULL && (into->fname = (ret(*) params)dlsym(handle, #fname)) == NULL) missing = #fname;
    SOSPLAN_SYSTEMD_FUNCTIONS(SOSPLAN_RESOLVE)
#undef SOSPLAN_RESOLVE
    if (missing == NULL && (into->sd_bus_error_free = (void (*)(sd_bus_error *))dlsym(handle, "sd_bus_error_free")) == NULL)
        missing = "sd_bus_error_free";
    if (missing != NULL) {
        snprintf(error, size, "%s has no %s (systemd too old?)", name, missing);
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

const char *sosplan_systemd_load_error(void) {
    pthread_once(&load_once, load);
    return load_result;
}

const char *sosplan_systemd_probe_library(const char *name) {
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
SOSPLAN_SYSTEMD_FUNCTIONS(SOSPLAN_FORWARD)
#undef SOSPLAN_FORWARD

HIDDEN void sd_bus_error_free(sd_bus_error *e) {
    if (loaded()) table.sd_bus_error_free(e);
}
