// parse_text() and load_files(): the lexer's items, routed through inih, into a RawDocument.
//
// How we build on inih without letting it read the user's text: Debian's libinih is built
// with a 200-byte line limit (longer lines are split), ';' inline comments, a 50-byte
// section/key buffer, and multi-line continuation (an indented line continues the previous
// value, so every tab-indented `Key=value` of a Gravwell file would be misread). So our
// lexer (lexer.cpp) reads the file, and ini_parse_stream() is fed, through our own reader
// function, only short normalised lines that refer to the lexer's side table by index:
//   "[\x01<i>]"  opens section item i        "\x01<i>="  under it: item i itself (marks the
//   "\x01<j>="   entry item j                              section, so empty ones exist too)
// They never start with blanks, ';' or '#', hold no ':' and stay far below 200 bytes, so
// inih's settings (build-time or Debian's runtime ini_* globals) cannot change their
// meaning. The handler maps the indices back to full names, values and line numbers.
#include "config/config.hpp"
#include "config/fileio.hpp"
#include "config/lexer.hpp"

#include <ini.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace hr::cfg {
namespace {

using detail::LexItem;

constexpr char kMark = '\x01';

struct Feed {
  std::string text;
  std::size_t pos = 0;
};

// fgets() semantics over Feed::text, as ini_parse_stream() expects.
char* feed_line(char* str, int num, void* stream) {
  auto* feed = static_cast<Feed*>(stream);
  if (num <= 1 || feed->pos >= feed->text.size()) return nullptr;
  std::size_t nl = feed->text.find('\n', feed->pos);
  std::size_t end = nl == std::string::npos ? feed->text.size() : nl + 1;
  std::size_t len = std::min(end - feed->pos, static_cast<std::size_t>(num - 1));
  std::memcpy(str, feed->text.data() + feed->pos, len);
  str[len] = '\0';
  feed->pos += len;
  return str;
}

std::optional<std::size_t> mark_index(const char* s) {
  if (s == nullptr || s[0] != kMark || s[1] == '\0') return std::nullopt;
  std::size_t v = 0;
  for (const char* p = s + 1; *p; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(*p - '0');
  }
  return v;
}

std::optional<std::size_t> section_index(const RawDocument& doc, std::string_view name,
                                         const std::optional<std::string>& instance) {
  const std::string c = canonical(name);
  for (std::size_t i = 0; i < doc.sections.size(); ++i)
    if (doc.sections[i].instance == instance && canonical(doc.sections[i].name) == c) return i;
  return std::nullopt;
}

struct Sink {
  const std::vector<LexItem>& items;
  RawDocument& doc;
  const std::string& file;
  std::optional<std::size_t> open_header; // item index of the header inih is under
  std::size_t open_section = 0;           // its index in doc.sections
};

int on_pair(void* user, const char* section, const char* name, const char* /*value*/) {
  auto& sink = *static_cast<Sink*>(user);
  auto sec = mark_index(section);
  auto key = mark_index(name);
  if (!sec || !key || *sec >= sink.items.size() || *key >= sink.items.size() ||
      sink.items[*sec].kind != LexItem::Kind::Header)
    return 0;
  const LexItem& item = sink.items[*key];
  if (*key == *sec) { // the marker line that follows each header
    auto idx = section_index(sink.doc, item.name, item.instance);
    if (!idx) {
      idx = sink.doc.sections.size();
      sink.doc.sections.push_back(RawSection{item.name, item.instance, Location{sink.file, item.line}, {}});
    }
    sink.open_header = *sec;
    sink.open_section = *idx;
    return 1;
  }
  if (item.kind != LexItem::Kind::Entry || sink.open_header != sec) return 0;
  sink.doc.sections[sink.open_section].entries.push_back(
      RawEntry{item.name, item.value, Location{sink.file, item.line}, item.bare});
  return 1;
}

std::string normalise(std::string_view text) {
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.remove_prefix(3);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out += text[i];
  return out;
}

std::size_t count_errors(const std::vector<Diag>& diags) {
  return static_cast<std::size_t>(std::count_if(
      diags.begin(), diags.end(), [](const Diag& d) { return d.severity == Severity::Error; }));
}

void file_error(std::vector<Diag>& diags, const std::string& path, std::string msg) {
  diags.push_back(Diag{Severity::Error, Location{path, 0}, "", "", std::move(msg)});
}

bool load_one(const std::string& path, const char* what, RawDocument& doc, std::vector<Diag>& diags) {
  std::string text, err;
  if (!detail::read_file_limited(path, kMaxConfigFileBytes, text, err)) {
    file_error(diags, path, std::string(what) + " " + err);
    return false;
  }
  return parse_text(text, path, doc, diags);
}

} // namespace

const RawSection* RawDocument::find(std::string_view name, const std::optional<std::string>& instance) const {
  auto idx = section_index(*this, name, instance);
  return idx ? &sections[*idx] : nullptr;
}

bool parse_text(std::string_view text, const std::string& file, RawDocument& doc, std::vector<Diag>& diags) {
  const std::size_t errors_before = count_errors(diags);
  const std::string clean = normalise(text);
  const std::vector<LexItem> items = detail::lex(clean, file, diags);

  Feed feed;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string n = std::to_string(i);
    if (items[i].kind == LexItem::Kind::Header) feed.text += std::string("[") + kMark + n + "]\n";
    feed.text += kMark + n + "=\n";
  }
  Sink sink{items, doc, file, std::nullopt, 0};
  int rc = ini_parse_stream(feed_line, &feed, on_pair, &sink);
  if (rc != 0)
    file_error(diags, file, "internal error: inih rejected normalised line " + std::to_string(rc) +
                                "; please report this with the config file");
  return count_errors(diags) == errors_before;
}

bool load_files(const std::string& main_path, const std::string& overlay_dir, RawDocument& doc,
                std::vector<Diag>& diags) {
  namespace fs = std::filesystem;
  const std::size_t errors_before = count_errors(diags);
  load_one(main_path, "config file", doc, diags);

  fs::path dir = overlay_dir;
  if (overlay_dir.empty()) dir = fs::path(main_path).parent_path() / "hosted_runner.conf.d";
  const std::string dir_name = dir.string();
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (st.type() == fs::file_type::not_found) return count_errors(diags) == errors_before;
  if (ec) {
    file_error(diags, dir_name, "overlay directory cannot be read: " + ec.message());
    return false;
  }
  if (st.type() != fs::file_type::directory) {
    file_error(diags, dir_name, "overlay path is not a directory: point it at a directory of *.conf files");
    return false;
  }

  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".conf") != 0) continue;
    std::error_code fec;
    if (it->is_regular_file(fec)) names.push_back(name); // follows symlinks, skips dirs
  }
  if (ec) {
    file_error(diags, dir_name, "overlay directory cannot be read: " + ec.message());
    return false;
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) load_one((dir / name).string(), "overlay file", doc, diags);
  return count_errors(diags) == errors_before;
}

} // namespace hr::cfg
