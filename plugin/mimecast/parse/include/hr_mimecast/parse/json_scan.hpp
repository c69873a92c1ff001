// Byte spans of JSON values, so records are forwarded exactly as Mimecast
// sent them (no re-serialisation: key order, number spelling and escapes
// stay as they were). Input must already be valid JSON (RapidJSON checks
// that first); these functions only find boundaries.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace hr::mimecast::json {

// Index of the first non-whitespace byte at or after pos.
std::size_t skip_ws(std::string_view text, std::size_t pos) noexcept;
// The value that starts at the first non-whitespace byte at or after pos:
// its exact bytes. nullopt if it does not end inside text.
std::optional<std::string_view> scan_value(std::string_view text, std::size_t pos) noexcept;
// For a document whose root is an object: the element spans of the array
// under top-level member `key` (first occurrence, keys compared after JSON
// unescaping). nullopt if the root is not an object or that member is
// missing or not an array.
std::optional<std::vector<std::string_view>> top_level_array(std::string_view doc, std::string_view key);

}  // namespace hr::mimecast::json
