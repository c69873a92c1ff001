/* Claims a table smaller than ABI 1.0's. */
#include "common.h"
T_TABLE(api, 16, HR_ABI_MAJOR, "SmallTable", NULL, 0, t_create);
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
