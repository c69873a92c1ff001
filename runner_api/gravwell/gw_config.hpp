#pragma once
// [Global] keys of the Gravwell network sink -> GravwellConfig, with
// diagnostics that name the file, line and key.
#include "config/config.hpp"
#include "gravwell_sink.hpp"

#include <string>
#include <vector>

namespace hr::gw {

// False when [Global] names no network target (out is then unused). Errors
// and warnings go to diags; the caller checks them.
bool config_from_global(const cfg::ResolvedSection &global, GravwellConfig &out, std::vector<cfg::Diag> &diags);

// The cache directory can be used (exists as a directory or can be created).
bool check_cache_path(const std::string &path, std::string &err);

} // namespace hr::gw
