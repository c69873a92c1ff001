/* Needs a symbol nothing provides: dlopen(RTLD_NOW) must fail. */
#include "common.h"
extern int hr_symbol_nobody_defines(void);
static hr_status u_start(hr_instance *i) { (void)i; return hr_symbol_nobody_defines() ? HR_OK : HR_FAILED; }
static const hr_plugin_api api = {sizeof(hr_plugin_api), HR_ABI_MAJOR, HR_ABI_MINOR, "Unresolved", "0", NULL, 0,
                                  t_init, t_fini, t_validate, t_create, u_start, t_stop, t_destroy, NULL};
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
