// Internal: the gcfg lexer. It does all the reading of the user's text; inih only sees the
// placeholder lines built from its output (see parse.cpp).
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hr::cfg::detail {

struct LexItem {
  enum class Kind { Header, Entry };
  Kind kind = Kind::Entry;
  uint32_t line = 0;
  std::string name;                    // Header: section name; Entry: key, as written
  std::optional<std::string> instance; // Header only
  std::string value;                   // Entry only, decoded
  bool bare = false;                   // Entry written without '='
};

// Lexes one file. `text` must already have its BOM removed and CRLF turned into LF.
// Errors and warnings go to diags (loc.file = file). Entries with an error, and entries
// under a broken header, are reported and left out.
std::vector<LexItem> lex(std::string_view text, const std::string& file, std::vector<Diag>& diags);

} // namespace hr::cfg::detail
