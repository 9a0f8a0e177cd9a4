// Opening a C library on first use: see CDynamicLibrary.h.

#include "CDynamicLibrary.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// Opens `name` and resolves every function of `spec` into `slots`: the
// library's handle, or NULL with why not in `error` (and `slots` untouched
// past the first missing function). dlsym gives each symbol's default version.
static void *open_library(const sosplan_library_spec *spec, const char *name, void **slots, char *error, size_t size) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, size, "%s could not be loaded (%s); %s", name, why ? why : "unknown reason", spec->package);
        return NULL;
    }
    for (size_t i = 0; i < spec->count; i++) {
        if ((slots[i] = dlsym(handle, spec->symbols[i])) == NULL) {
            snprintf(error, size, "%s has no %s (%s)", name, spec->symbols[i], spec->too_old);
            dlclose(handle);
            return NULL;
        }
    }
    return handle;
}

int sosplan_library_loaded(sosplan_library *library) {
    // Every call of a forwarded function passes here: one atomic load once loaded.
    if (!__atomic_load_n(&library->done, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&library->lock);
        if (!library->done) {
            const sosplan_library_spec *spec = library->spec;
            if (open_library(spec, spec->soname, library->slots, library->error, sizeof library->error) != NULL) {
                library->result = NULL;
            } else {
                memset(library->slots, 0, spec->count * sizeof *library->slots);
                library->result = library->error;
            }
            __atomic_store_n(&library->done, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&library->lock);
    }
    return library->result == NULL;
}

const char *sosplan_library_load_error(sosplan_library *library) {
    sosplan_library_loaded(library);
    return library->result;
}

const char *sosplan_library_probe(const sosplan_library_spec *spec, const char *soname, char *error, size_t size) {
    void *scratch[spec->count];
    void *handle = open_library(spec, soname, scratch, error, size);
    if (handle == NULL) return error;
    dlclose(handle);
    return NULL;
}
