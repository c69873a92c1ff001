/* Leaves a required hook empty. */
#include "common.h"
T_TABLE(api, sizeof(hr_plugin_api), HR_ABI_MAJOR, "NullHook", NULL, 0, NULL);
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
