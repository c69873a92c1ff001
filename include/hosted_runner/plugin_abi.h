/*
 * hosted_runner plugin ABI.
 *
 * The whole contract between the hosted_runner executable (the "host") and a
 * plugin library (one plugin "kind", e.g. Mimecast). Pure C: fixed-width
 * integers, pointer+length strings, no C++ types, no exceptions.
 *
 * Loading
 *   The host dlopen()s every "*.so" in its plugin directory and calls the one
 *   exported symbol HR_PLUGIN_ENTRY_SYMBOL ("hr_plugin_entry"). The plugin
 *   returns its hr_plugin_api table. The host refuses a plugin whose
 *   abi_major differs from HR_ABI_MAJOR or whose struct_size is smaller than
 *   the size of the version-1.0 table, naming the file and both versions.
 *
 * Versioning
 *   Both tables start with struct_size and the ABI version and only ever grow
 *   at their end. A member added in a later minor says so ("since 1.N").
 *   Neither side reads a member that lies beyond the other side's
 *   struct_size. Enumerations never use zero as a valid value.
 *
 * Naming
 *   hr_host_api members are services the host provides (plugin calls them).
 *   hr_plugin_api members are hooks the plugin provides (host calls them).
 *
 * Ownership
 *   Every pointer's owner and lifetime is stated where it appears. In short:
 *   whatever a caller passes in is BORROWED for the duration of the call and
 *   must be copied if kept; the one exception is hr_stanza, which stays valid
 *   for the life of the instance created from it (see create).
 *
 * Exceptions and process control
 *   No C++ exception may leave any function in either table. Plugin code
 *   never calls exit(), abort() or installs signal handlers; failures are
 *   reported through return values, diagnostics or host->fail().
 */
#ifndef HOSTED_RUNNER_PLUGIN_ABI_H
#define HOSTED_RUNNER_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HR_ABI_MAJOR 1
#define HR_ABI_MINOR 0

/* The one symbol a plugin library exports. */
#define HR_PLUGIN_ENTRY_SYMBOL "hr_plugin_entry"

#if defined(__GNUC__)
#define HR_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define HR_PLUGIN_EXPORT
#endif

/* A string as pointer + length. Not NUL-terminated unless stated. The owner
 * is whoever built it; see each use. An empty string is {anything, 0}. */
typedef struct hr_str {
    const char *ptr;
    size_t len;
} hr_str;

/* Result of a call. Zero is deliberately not a valid status. */
typedef enum hr_status {
    HR_OK = 1,
    /* The request was not accepted now; try again later (see emit). */
    HR_AGAIN = 2,
    /* The arguments or configuration are invalid; details went to diagnostics. */
    HR_INVALID = 3,
    /* Anything else failed; details went to diagnostics or the log. */
    HR_FAILED = 4,
    /* Key not found (state_get). */
    HR_NOT_FOUND = 5,
    /* The host is shutting down this instance; stop work. */
    HR_STOPPING = 6
} hr_status;

typedef enum hr_log_level {
    HR_LOG_DEBUG = 1,
    HR_LOG_INFO = 2,
    HR_LOG_WARN = 3,
    HR_LOG_ERROR = 4,
    HR_LOG_CRITICAL = 5
} hr_log_level;

/* ---------------------------------------------------------------- config */

/* Type of a configuration key, as the host parses and checks it. */
typedef enum hr_key_type {
    HR_KEY_STRING = 1,   /* any text */
    HR_KEY_INT = 2,      /* decimal or 0x hex, signed 64-bit; value in hr_kv.number */
    HR_KEY_BOOL = 3,     /* true/yes/on/1, false/no/off/0; 1 or 0 in hr_kv.number */
    HR_KEY_DURATION = 4, /* "1s", "5m", "1h30m", "250ms", bare integer = seconds; ns in hr_kv.number */
    HR_KEY_UUID = 5,     /* canonical 8-4-4-4-12 hex, text normalised to lower case */
    HR_KEY_URL = 6       /* http:// or https:// URL without a trailing slash */
} hr_key_type;

/* Flags of a configuration key (bitwise or). */
enum {
    HR_KEY_REQUIRED = 1u << 0,   /* missing key is an error */
    HR_KEY_REPEATABLE = 1u << 1, /* repeated key appends to a list; else a later one overrides */
    HR_KEY_SECRET = 1u << 2,     /* value is never logged, printed or echoed in errors */
    HR_KEY_FILE_OF = 1u << 3     /* value is a path; the host reads the file (<=16 KiB, trailing
                                    newline trimmed) and hands over its content under the key
                                    named by hr_key_schema.file_of */
};

/* One key a plugin kind accepts. Static data owned by the plugin; valid while
 * the library is loaded. Names are given in their documented spelling
 * ("Client-Id"); the host matches them case-insensitively with '-' == '_'. */
typedef struct hr_key_schema {
    const char *name;          /* NUL-terminated */
    hr_key_type type;
    uint32_t flags;            /* HR_KEY_* */
    const char *default_value; /* NUL-terminated text form, or NULL for no default */
    const char *help;          /* one line, NUL-terminated */
    const char *file_of;       /* with HR_KEY_FILE_OF: the key this file fills, else NULL */
} hr_key_schema;

/* One configured value, checked against the schema. Owned by the host. */
typedef struct hr_kv {
    hr_str key;      /* the schema's spelling of the key name */
    hr_str value;    /* the decoded text (quotes and escapes resolved) */
    int64_t number;  /* INT: value; BOOL: 0/1; DURATION: nanoseconds; else 0 */
    hr_str file;     /* file the value came from; empty for a schema default */
    uint32_t line;   /* 1-based line; 0 for a schema default */
} hr_kv;

/* A configuration block "[Kind "instance"]" after checking. Owned by the
 * host. For validate and check: valid during the call. For create: valid
 * until destroy of the instance returns. Every key of the schema that has a
 * value or a default appears; repeatable keys appear once per value, in
 * file order. Keys are never duplicated otherwise. */
typedef struct hr_stanza {
    hr_str kind;            /* "Mimecast" */
    hr_str instance;        /* the quoted name */
    hr_str file;            /* file of the section header */
    uint32_t line;          /* line of the section header */
    const hr_kv *items;
    uint32_t item_count;
    hr_str state_namespace; /* "<kind>/<instance>/<Ingester-UUID>", lower-case kind */
} hr_stanza;

/* Diagnostic sink for validate/create/check. Called on the caller's thread
 * during the call only. key: the schema spelling of the key concerned, or
 * empty for the stanza as a whole; line: its line, or 0 for the header line.
 * message: BORROWED, copied by the host. Never put a secret in it. */
typedef void (*hr_diag_fn)(void *diag_ctx, hr_log_level severity, hr_str key, uint32_t line,
                           hr_str message);

/* ---------------------------------------------------------------- entries */

/* One entry. Everything BORROWED: the host copies what it needs before emit
 * returns. */
typedef struct hr_entry {
    int64_t ts_sec;  /* event time, seconds since the Unix epoch, UTC */
    uint32_t ts_nsec;/* 0..999999999 */
    hr_str tag;      /* [A-Za-z0-9_-]+, at most 4096 bytes */
    hr_str src;      /* source IP as text ("192.0.2.1", "2001:db8::1"), or empty */
    hr_str data;     /* raw event bytes, unchanged */
} hr_entry;

/* Called by the host when a commit has been applied to the state store (ok
 * != 0) or abandoned because the instance is stopping or the store failed
 * (ok == 0). Called exactly once per accepted commit, on a host thread,
 * possibly before commit() returns. It must not block and must not call
 * destroy. */
typedef void (*hr_commit_fn)(void *cb_ctx, int ok);

/* Receives a value from state_get. value is BORROWED for the call. */
typedef void (*hr_value_fn)(void *cb_ctx, hr_str value);

/* Opaque handles. */
typedef struct hr_host_instance hr_host_instance; /* host's, one per instance */
typedef struct hr_module hr_module;               /* plugin's, one per loaded library */
typedef struct hr_instance hr_instance;           /* plugin's, one per stanza */

/* Services the host provides. Owned by the host; valid from module_init until
 * module_fini returns. Every function is thread-safe. The hr_host_instance
 * handle passed to create is valid until destroy of that instance returns. */
typedef struct hr_host_api {
    uint32_t struct_size; /* sizeof(hr_host_api) as the host knows it */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Write a log line. The host prefixes kind and instance. msg BORROWED. */
    void (*log)(hr_host_instance *h, hr_log_level level, hr_str msg);
    /* Whether a level is enabled, to skip building expensive messages. */
    int (*log_enabled)(hr_host_instance *h, hr_log_level level);

    /* Queue one entry for every configured sink. Never blocks.
     * HR_OK: accepted. HR_AGAIN: the sinks are behind and the entry was NOT
     * accepted; retry after a commit callback fires or after a short delay.
     * HR_STOPPING: the instance is stopping; the entry was not accepted. */
    hr_status (*emit)(hr_host_instance *h, const hr_entry *entry);

    /* Read a committed value of this instance's state namespace. On HR_OK,
     * fn is called once, before return, with the value. */
    hr_status (*state_get)(hr_host_instance *h, hr_str key, hr_value_fn fn, void *cb_ctx);

    /* Store key=value in this instance's state namespace once every entry
     * this instance emitted before this call is durable in every sink.
     * Commits of one instance are applied in call order; a later commit of
     * a key supersedes an earlier one. key and value BORROWED (copied).
     * fn may be NULL. HR_OK: accepted, fn will be called once. */
    hr_status (*commit)(hr_host_instance *h, hr_str key, hr_str value, hr_commit_fn fn,
                        void *cb_ctx);

    /* Set a named statistic of this instance (counters and gauges such as
     * "entries", "bytes", "requests", "lag_s"). The host shows them in
     * progress logs and health reports. name BORROWED. */
    void (*set_stat)(hr_host_instance *h, hr_str name, int64_t value);

    /* Report that the instance failed and cannot go on. The host logs msg,
     * later stops and destroys the instance from its own thread, and creates
     * it again after a backoff. Returns at once. msg BORROWED. */
    void (*fail)(hr_host_instance *h, hr_str msg);
} hr_host_api;

/* Hooks the plugin provides. Static storage owned by the plugin library;
 * valid while it is loaded. */
typedef struct hr_plugin_api {
    uint32_t struct_size; /* sizeof(hr_plugin_api) as the plugin knows it */
    uint16_t abi_major;   /* HR_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;

    const char *kind;     /* section name it serves, e.g. "Mimecast"; NUL-terminated */
    const char *version;  /* plugin version, NUL-terminated */
    const hr_key_schema *keys;
    uint32_t key_count;

    /* Once per process, after loading: set up library-wide resources (thread
     * pool, curl_global_init). host is valid until module_fini returns.
     * On failure return non-HR_OK and report through diag. */
    hr_status (*module_init)(const hr_host_api *host, hr_module **out_module, hr_diag_fn diag,
                             void *diag_ctx);
    /* Last call into the library; every instance was destroyed before. */
    void (*module_fini)(hr_module *module);

    /* Check a stanza beyond the per-key checks (cross-key rules). Starts
     * nothing, touches no network. HR_OK or HR_INVALID with diagnostics. */
    hr_status (*validate)(hr_module *module, const hr_stanza *stanza, hr_diag_fn diag,
                          void *diag_ctx);

    /* Create an instance for a stanza; starts no work. stanza stays valid
     * until destroy returns; host_instance is the handle for host services. */
    hr_status (*create)(hr_module *module, const hr_stanza *stanza,
                        hr_host_instance *host_instance, hr_instance **out_instance,
                        hr_diag_fn diag, void *diag_ctx);
    /* Begin work. Returns promptly; work runs on the plugin's own threads. */
    hr_status (*start)(hr_instance *instance);
    /* Ask the instance to stop. Returns at once; idempotent; any thread. */
    void (*stop)(hr_instance *instance);
    /* Wait until the instance has no work running, then free it. After it
     * returns, the plugin makes no further host call for this instance.
     * Called from a host thread, never from inside a host callback. */
    void (*destroy)(hr_instance *instance);

    /* Optional (may be NULL): a live check of the stanza's credentials and
     * endpoints that ingests nothing ("-test-credentials"). Reports through
     * diag; blocks until done. HR_OK when everything answered. */
    hr_status (*check)(hr_module *module, const hr_stanza *stanza, hr_diag_fn diag,
                       void *diag_ctx);
} hr_plugin_api;

/* The entry point. host_major/host_minor: the host's ABI version, so a
 * plugin can decline (return NULL) a host that is too old. Returns a pointer
 * to static storage; never NULL for a compatible host. */
typedef const hr_plugin_api *(*hr_plugin_entry_fn)(uint16_t host_major, uint16_t host_minor);

#ifdef __cplusplus
}
#endif

#endif /* HOSTED_RUNNER_PLUGIN_ABI_H */
