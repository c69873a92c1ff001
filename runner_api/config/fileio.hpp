// Internal: bounded file reading shared by the loader, *-File keys and NAME_FILE variables.
#pragma once

#include <cstddef>
#include <string>

namespace hr::cfg::detail {

// Reads the whole file at `path` if it is at most `limit` bytes. On failure returns false
// and sets `err` to a phrase such as "cannot open: No such file or directory" or
// "is larger than 16 KiB".
bool read_file_limited(const std::string& path, std::size_t limit, std::string& out, std::string& err);

// "4 MiB", "16 KiB", "100 bytes".
std::string describe_size(std::size_t bytes);

} // namespace hr::cfg::detail
