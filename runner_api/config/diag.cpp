#include "config/config.hpp"

#include <algorithm>

namespace hr::cfg {

std::string Diag::format() const {
  std::string out;
  if (!loc.file.empty()) {
    out += loc.file;
    if (loc.line != 0) {
      out += ':'; // two appends: GCC 12 at -O3 flags `":" + to_string` (PR105329)
      out += std::to_string(loc.line);
    }
    out += ": ";
  }
  if (severity == Severity::Warning) out += "warning: ";
  if (!section.empty()) out += "[" + section + "] ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

bool has_errors(const std::vector<Diag>& diags) {
  return std::any_of(diags.begin(), diags.end(), [](const Diag& d) { return d.severity == Severity::Error; });
}

std::string section_label(std::string_view name, const std::optional<std::string>& instance) {
  std::string out(name);
  if (!instance) return out;
  out += " \"";
  for (char c : *instance) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

} // namespace hr::cfg
