/* A complete plugin in plain C: one key, emits one entry per start. */
#include "common.h"
#include <string.h>
static const hr_host_api *g_host;
static hr_status g_init(const hr_host_api *host, hr_module **out, hr_diag_fn d, void *c) {
    g_host = host;
    return t_init(host, out, d, c);
}
static const hr_key_schema keys[] = {{"Greeting", HR_KEY_STRING, HR_KEY_REQUIRED, NULL, "text to emit", NULL}};
static hr_status g_validate(hr_module *m, const hr_stanza *s, hr_diag_fn d, void *c) {
    (void)m;
    for (uint32_t i = 0; i < s->item_count; ++i)
        if (s->items[i].value.len == 0) {
            d(c, HR_LOG_ERROR, s->items[i].key, s->items[i].line, (hr_str){"must not be empty", 17});
            return HR_INVALID;
        }
    return HR_OK;
}
static hr_status g_start(hr_instance *i) {
    hr_host_instance *h = (hr_host_instance *)i;
    hr_entry e = {1700000000, 0, {"ctest", 5}, {"", 0}, {"{\"hello\":\"c\"}", 13}};
    g_host->emit(h, &e);
    return HR_OK;
}
static const hr_plugin_api api = {sizeof(hr_plugin_api), HR_ABI_MAJOR, HR_ABI_MINOR, "CTest", "0.0.1", keys, 1,
                                  g_init, t_fini, g_validate, t_create, g_start, t_stop, t_destroy, NULL};
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
