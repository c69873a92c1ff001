#include "config/lexer.hpp"

#include <cstdio>
#include <utility>

namespace hr::cfg::detail {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ident_char(char c) { return is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_'; }
// gcfg's whitespace; a stray CR (not part of CRLF) counts as blank there too.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_comment_start(char c) { return c == '#' || c == ';'; }

// Shows one offending character without dumping binary into a message.
std::string show_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  if (c == ' ') return "a space";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
  return buf;
}

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
std::size_t utf8_seq_len(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0; // no overlongs
    if (c == 0xED) hi = 0x9F; // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F; // <= U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if ((b(k) & 0xC0) != 0x80) return 0;
  return len;
}

class Lexer {
public:
  Lexer(std::string_view text, const std::string& file, std::vector<Diag>& diags)
      : s_(text), file_(file), diags_(diags) {}

  std::vector<LexItem> run() {
    check_encoding();
    while (i_ < s_.size()) {
      skip_blanks();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '\n') {
        ++i_;
        ++line_;
      } else if (is_comment_start(c)) {
        skip_line();
      } else if (c == '[') {
        header();
      } else if (is_alpha(c)) {
        entry();
      } else {
        error(line_, "", "unexpected " + show_char(c) +
                             " at the start of a line: a line holds a section header [Name], "
                             "Key = value, or a comment starting with # or ;");
        skip_line();
      }
    }
    return std::move(items_);
  }

private:
  std::string_view s_;
  std::size_t i_ = 0;
  uint32_t line_ = 1;
  const std::string& file_;
  std::vector<Diag>& diags_;
  std::vector<LexItem> items_;
  bool in_section_ = false; // a header (good or bad) was seen
  bool section_ok_ = false; // the last header was good: its keys are kept
  std::string label_;       // label of the current section, for messages

  bool at_eol() const { return i_ >= s_.size() || s_[i_] == '\n'; }
  bool at_eol_or_comment() const { return at_eol() || is_comment_start(s_[i_]); }
  void skip_blanks() {
    while (i_ < s_.size() && is_blank(s_[i_])) ++i_;
  }
  void skip_line() {
    while (!at_eol()) ++i_;
  }

  void diag(Severity sev, uint32_t line, std::string key, std::string msg) {
    diags_.push_back(Diag{sev, Location{file_, line}, label_, std::move(key), std::move(msg)});
  }
  void error(uint32_t line, std::string key, std::string msg) {
    diag(Severity::Error, line, std::move(key), std::move(msg));
  }

  // gcfg rejects NUL and malformed UTF-8 anywhere; one error per line is enough.
  void check_encoding() {
    uint32_t line = 1;
    uint32_t reported = 0;
    for (std::size_t i = 0; i < s_.size();) {
      char c = s_[i];
      if (c == '\n') {
        ++line;
        ++i;
        continue;
      }
      std::size_t len = c == '\0' ? 0 : utf8_seq_len(s_, i);
      if (len == 0) {
        if (reported != line) {
          diags_.push_back(Diag{Severity::Error, Location{file_, line}, "", "",
                                c == '\0' ? "NUL byte: a config file is UTF-8 text"
                                          : "invalid UTF-8: save the file as UTF-8"});
          reported = line;
        }
        len = 1;
      }
      i += len;
    }
  }

  void bad_header(uint32_t line, const std::string& msg) {
    error(line, "", msg);
    in_section_ = true;
    section_ok_ = false; // its keys are dropped: they would only add misleading errors
    skip_line();
  }

  void header() {
    const uint32_t line = line_;
    const std::string usage = ": write [Name] or [Name \"instance\"]";
    ++i_; // '['
    skip_blanks();
    label_.clear();
    std::size_t start = i_;
    if (i_ < s_.size() && is_alpha(s_[i_]))
      while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
    if (start == i_)
      return bad_header(line, at_eol() || s_[i_] == ']' ? "section header without a name" + usage
                                       : "unexpected " + show_char(s_[i_]) +
                                             " where a section name should start" + usage);
    std::string name(s_.substr(start, i_ - start));
    label_ = name;
    skip_blanks();

    std::optional<std::string> instance;
    if (i_ < s_.size() && s_[i_] == '"') {
      ++i_;
      std::string v;
      bool closed = false;
      while (!at_eol()) {
        char c = s_[i_++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && !at_eol()) {
          char e = s_[i_++];
          if (e != '"' && e != '\\')
            return bad_header(line, std::string("invalid escape \"\\") + e +
                                        "\" in the instance name: only \\\\ and \\\" are allowed");
          c = e;
        }
        v += c;
      }
      if (!closed) return bad_header(line, "instance name is missing its closing '\"'" + usage);
      if (v.empty()) return bad_header(line, "empty instance name" + usage);
      instance = std::move(v);
      label_ = section_label(name, instance);
      skip_blanks();
    }
    if (at_eol() || s_[i_] != ']')
      return bad_header(line, (at_eol() ? std::string("missing ']'")
                                        : "unexpected " + show_char(s_[i_]) + " in section header") +
                                  usage);
    ++i_;
    skip_blanks();
    if (!at_eol_or_comment())
      return bad_header(line, "unexpected text after ']': only a comment (# or ;) may follow");
    skip_line();
    in_section_ = true;
    section_ok_ = true;
    items_.push_back(LexItem{LexItem::Kind::Header, line, std::move(name), std::move(instance), "", false});
  }

  void entry() {
    const uint32_t line = line_;
    std::size_t start = i_;
    while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
    std::string key(s_.substr(start, i_ - start));
    skip_blanks();

    LexItem item{LexItem::Kind::Entry, line, key, std::nullopt, "", false};
    bool ok = true;
    if (at_eol_or_comment()) {
      item.bare = true; // gcfg's blank value: `Key` alone
      skip_line();
    } else if (s_[i_] == '=') {
      ++i_;
      ok = value(item.value, key, line);
    } else {
      error(line, key, "expected '=' after the key, found " + show_char(s_[i_]) +
                           ": write Key = value (key names hold letters, digits, '-' and '_')");
      skip_line();
      return;
    }
    if (!in_section_) {
      error(line, key, "key outside any section: put it below a section header such as [Global]");
      return;
    }
    if (ok && section_ok_) items_.push_back(std::move(item));
  }

  // Reads a value up to the end of its line (or of its backtick string). Leaves i_ at the
  // '\n' that ends it. Errors never quote the value: it may be a secret.
  bool value(std::string& out, const std::string& key, uint32_t line) {
    skip_blanks();
    if (i_ < s_.size() && s_[i_] == '`') return raw_value(out, key, line);

    bool quoted = false, ok = true;
    bool glued = false;   // the last char read was an unquoted non-blank
    std::size_t keep = 0; // out.size() up to the last char that survives trimming
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (!quoted && (c == '\n' || is_comment_start(c))) {
        if (c != '\n' && glued) // likely an unquoted secret or URL fragment cut short
          diag(Severity::Warning, line, key,
               std::string("'") + c +
                   "' right after the value starts a comment and cuts the value there; "
                   "put the value in double quotes if the '" + c + "' belongs to it");
        break;
      }
      if (quoted && c == '\n') break; // reported below
      ++i_;
      glued = false;
      if (quoted) {
        if (c == '"') {
          quoted = false;
        } else if (c == '\\' && !at_eol()) {
          char e = s_[i_++];
          switch (e) {
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          default:
            error(line, key, std::string("invalid escape \"\\") + e +
                                 "\" in a quoted value: valid escapes are \\\\ \\\" \\n \\t "
                                 "(or use a backtick string, which has none)");
            ok = false;
          }
        } else if (c != '\\') {
          out += c;
        }
        keep = out.size(); // whitespace inside quotes is kept
        continue;
      }
      if (c == '"') {
        quoted = true;
        keep = out.size(); // blanks before an opening quote are inside the value
      } else if (c == '\\') {
        if (i_ < s_.size() && s_[i_] == '"') { // gcfg: \" outside quotes is a quote char
          out += '"';
          ++i_;
          keep = out.size();
        } else if (i_ < s_.size() && s_[i_] == '\n') { // gcfg: line continuation
          ++i_;
          ++line_;
        } else {
          error(line, key, "'\\' outside double quotes may only precede '\"' or end the line; "
                           "for a backslash, quote the value and double it: \"C:\\\\dir\"");
          skip_line();
          return false;
        }
      } else {
        out += c;
        if (!is_blank(c)) {
          keep = out.size();
          glued = true;
        }
      }
    }
    if (quoted) {
      error(line, key, "missing closing '\"' in the value: close it on the same line, or use a "
                       "backtick string to span lines");
      return false;
    }
    out.resize(keep);
    skip_line(); // an inline comment
    return ok;
  }

  bool raw_value(std::string& out, const std::string& key, uint32_t line) {
    std::size_t start = ++i_;
    std::size_t end = s_.find('`', start);
    if (end == std::string_view::npos) {
      error(line, key, "backtick string is not closed: end it with a second `");
      i_ = s_.size();
      return false;
    }
    out.assign(s_.substr(start, end - start));
    for (char c : out)
      if (c == '\n') ++line_;
    i_ = end + 1;
    skip_blanks();
    if (!at_eol_or_comment()) {
      error(line_, key, "unexpected text after the closing backtick: only a comment (# or ;) may follow");
      skip_line();
      return false;
    }
    skip_line();
    return true;
  }
};

} // namespace

std::vector<LexItem> lex(std::string_view text, const std::string& file, std::vector<Diag>& diags) {
  return Lexer(text, file, diags).run();
}

} // namespace hr::cfg::detail
