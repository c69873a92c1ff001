/* Built against a future major ABI. */
#include "common.h"
T_TABLE(api, sizeof(hr_plugin_api), HR_ABI_MAJOR + 1, "WrongMajor", NULL, 0, t_create);
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
