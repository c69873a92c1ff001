/* Shared bits of the test-only C plugins: hooks that do nothing. */
#include <hosted_runner/plugin_abi.h>
#include <stddef.h>

__attribute__((unused)) static hr_status t_init(const hr_host_api *host, hr_module **out, hr_diag_fn d, void *c) {
    (void)host; (void)d; (void)c;
    static int token;
    *out = (hr_module *)&token;
    return HR_OK;
}
__attribute__((unused)) static void t_fini(hr_module *m) { (void)m; }
__attribute__((unused)) static hr_status t_validate(hr_module *m, const hr_stanza *s, hr_diag_fn d, void *c) {
    (void)m; (void)s; (void)d; (void)c;
    return HR_OK;
}
__attribute__((unused)) static hr_status t_create(hr_module *m, const hr_stanza *s, hr_host_instance *h, hr_instance **out, hr_diag_fn d,
                          void *c) {
    (void)m; (void)s; (void)d; (void)c;
    *out = (hr_instance *)h;
    return HR_OK;
}
__attribute__((unused)) static hr_status t_start(hr_instance *i) { (void)i; return HR_OK; }
__attribute__((unused)) static void t_stop(hr_instance *i) { (void)i; }
__attribute__((unused)) static void t_destroy(hr_instance *i) { (void)i; }

#define T_TABLE(name, size, major, kind, keys, nkeys, create_hook)                                          \
    static const hr_plugin_api name = {(size), (major), HR_ABI_MINOR, (kind), "0.0.1", (keys), (nkeys),      \
                                       t_init, t_fini, t_validate, (create_hook), t_start, t_stop, t_destroy, \
                                       NULL}
