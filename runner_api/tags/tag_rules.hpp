#pragma once
// Tag names as Gravwell's ingest protocol allows them. Shared by the host,
// the Gravwell sink and plugins, so -validate rejects exactly what an
// indexer would.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hr::tags {

inline constexpr size_t kMaxTagBytes = 4096;

// Surrounding (Unicode) whitespace trimmed; then non-empty, <= 4096 bytes,
// valid UTF-8, no whitespace or non-printing code point, none of
// " ' ` ´ ‘ ’ “ ” * $ \ [ ] | { } ( ) ; = < ! > ~ % ^ & . : , /
std::optional<std::string> normalize_tag(std::string_view name);
// A name that is already in normal form and allowed.
bool valid_tag(std::string_view name);
// What valid names may hold, for error messages.
inline constexpr const char *kTagRuleText =
    "tags may not be empty, longer than 4096 bytes, or hold whitespace, control characters or any of "
    "\" ' ` * $ \\ [ ] | { } ( ) ; = < ! > ~ % ^ & . : , /";

} // namespace hr::tags
