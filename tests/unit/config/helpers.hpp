// Shared helpers for the config tests.
#pragma once

#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace cfgtest {

using namespace hr::cfg;

inline RawDocument parse(const std::string& text, std::vector<Diag>& diags, const std::string& file = "t.conf") {
  RawDocument doc;
  parse_text(text, file, doc, diags);
  return doc;
}

// Parses text that must be clean and returns its only section.
inline RawSection one_section(const std::string& text) {
  std::vector<Diag> diags;
  RawDocument doc = parse(text, diags);
  INFO((diags.empty() ? std::string() : diags.front().format()));
  REQUIRE(diags.empty());
  REQUIRE(doc.sections.size() == 1);
  return doc.sections.front();
}

inline std::string dump(const std::vector<Diag>& diags) {
  std::string out;
  for (const auto& d : diags) out += d.format() + "\n";
  return out;
}

inline std::size_t count(const std::vector<Diag>& diags, Severity sev) {
  std::size_t n = 0;
  for (const auto& d : diags) n += d.severity == sev;
  return n;
}

inline EnvFn fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hr_cfg_test_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& rel) const { return (path_ / rel).string(); }
  std::string write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

private:
  std::filesystem::path path_;
};

inline std::string data_file(const std::string& name) { return std::string(HR_CONFIG_TEST_DATA) + "/" + name; }

} // namespace cfgtest
