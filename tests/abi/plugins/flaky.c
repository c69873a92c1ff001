/* Fails every time it starts (after emitting one entry): the host must log it,
 * restart it with growing delays, and keep every other stanza running. */
#include "common.h"
static const hr_host_api *f_host;
static hr_status f_init(const hr_host_api *host, hr_module **out, hr_diag_fn d, void *c) {
    f_host = host;
    return t_init(host, out, d, c);
}
static hr_status f_start(hr_instance *i) {
    hr_host_instance *h = (hr_host_instance *)i;
    hr_entry e = {1700000000, 0, {"flaky", 5}, {"", 0}, {"{\"flaky\":1}", 11}};
    f_host->emit(h, &e);
    f_host->fail(h, (hr_str){"lost its upstream", 17});
    return HR_OK;
}
static const hr_plugin_api api = {sizeof(hr_plugin_api), HR_ABI_MAJOR, HR_ABI_MINOR, "Flaky", "0.0.1", NULL, 0,
                                  f_init, t_fini, t_validate, t_create, f_start, t_stop, t_destroy, NULL};
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
