/* Publishes a key without a name. */
#include "common.h"
static const hr_key_schema keys[] = {{NULL, HR_KEY_STRING, 0, NULL, "nameless", NULL}};
T_TABLE(api, sizeof(hr_plugin_api), HR_ABI_MAJOR, "BadSchema", keys, 1, t_create);
HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t a, uint16_t b) { (void)a; (void)b; return &api; }
