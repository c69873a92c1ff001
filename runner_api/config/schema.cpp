// resolve(): one RawSection checked against a key schema, with Gravwell's precedence:
// the files (a later scalar wins, lists append) > a *-File key > NAME > NAME_FILE > default.
#include "config/config.hpp"
#include "config/fileio.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace hr::cfg {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 16 * 1024;

struct Given {
  Value value;
  std::size_t seq; // order of appearance: file entries, then environment, then defaults
};

struct Slot {
  std::vector<Given> values; // a scalar keeps at most one
  bool failed = false;       // a value was reported bad: no default, no "missing" on top
};

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string join_names(const std::vector<KeySpec>& schema) {
  std::string out;
  for (const auto& k : schema) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

std::string expectation(const KeySpec& spec) {
  if (!spec.choices.empty()) {
    std::string out = "expected one of ";
    for (std::size_t i = 0; i < spec.choices.size(); ++i) out += (i ? ", " : "") + spec.choices[i];
    return out + " (any case)";
  }
  switch (spec.type) {
  case KeyType::String: return "";
  case KeyType::Int: return "expected a whole number, decimal or 0x hex (e.g. 42 or 0x2A)";
  case KeyType::Bool: return "expected true/yes/on/1 or false/no/off/0";
  case KeyType::Duration: return "expected a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds)";
  case KeyType::Uuid: return "expected a UUID such as e985bc57-8da7-4bd9-aaeb-cc8c7d489b42";
  case KeyType::Url: return "expected http(s)://host[:port][/path]";
  }
  return "";
}

// Checks and normalises v in place; false if it is not valid for spec.
bool convert(const KeySpec& spec, Value& v) {
  switch (spec.type) {
  case KeyType::String: break;
  case KeyType::Int:
    if (auto n = parse_int(v.text)) v.number = *n;
    else return false;
    break;
  case KeyType::Bool:
    if (auto b = parse_bool(v.text)) {
      v.number = *b ? 1 : 0;
      v.text = *b ? "true" : "false";
    } else {
      return false;
    }
    break;
  case KeyType::Duration:
    if (auto d = parse_duration_ns(v.text)) v.number = *d;
    else return false;
    break;
  case KeyType::Uuid:
    if (auto u = parse_uuid(v.text)) v.text = *u;
    else return false;
    break;
  case KeyType::Url:
    if (auto u = parse_url(v.text)) v.text = *u;
    else return false;
    break;
  }
  if (spec.choices.empty()) return true;
  const std::string c = canonical(v.text);
  for (const auto& choice : spec.choices)
    if (canonical(choice) == c) {
      v.text = choice;
      return true;
    }
  return false;
}

class Resolver {
public:
  Resolver(const RawSection& raw, const std::vector<KeySpec>& schema, std::vector<Diag>& diags, const EnvFn& env)
      : raw_(raw), schema_(schema), diags_(diags), env_(env ? env : EnvFn(process_env)),
        label_(section_label(raw.name, raw.instance)), slots_(schema.size()) {}

  ResolvedSection run() {
    const std::size_t first_diag = diags_.size();
    read_entries();
    fill_from_files();
    fill_from_env();
    check_values();
    fill_defaults();
    check_required();
    sort_diags(first_diag);
    return build();
  }

private:
  const RawSection& raw_;
  const std::vector<KeySpec>& schema_;
  std::vector<Diag>& diags_;
  EnvFn env_;
  std::string label_;
  std::vector<Slot> slots_;
  std::size_t next_seq_ = 0;

  void diag(Severity sev, const Location& loc, const std::string& key, std::string msg) {
    diags_.push_back(Diag{sev, loc, label_, key, std::move(msg)});
  }
  void error(const Location& loc, const std::string& key, std::string msg) {
    diag(Severity::Error, loc, key, std::move(msg));
  }
  void warning(const Location& loc, const std::string& key, std::string msg) {
    diag(Severity::Warning, loc, key, std::move(msg));
  }

  std::optional<std::size_t> find(std::string_view name) const {
    const std::string c = canonical(name);
    for (std::size_t i = 0; i < schema_.size(); ++i)
      if (canonical(schema_[i].name) == c) return i;
    return std::nullopt;
  }

  void unknown_key(const RawEntry& e) {
    const std::string c = canonical(e.key);
    const KeySpec* best = nullptr;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (const auto& k : schema_) {
      std::size_t d = edit_distance(c, canonical(k.name));
      if (d < best_d) {
        best_d = d;
        best = &k;
      }
    }
    std::string msg = "unknown key";
    if (best != nullptr && best_d <= std::max<std::size_t>(2, c.size() / 4))
      msg += "; did you mean " + best->name + "?";
    else if (schema_.empty())
      msg += "; this section takes no keys";
    else
      msg += "; valid keys here: " + join_names(schema_);
    error(e.loc, e.key, msg);
  }

  void read_entries() {
    std::vector<bool> warned_unused(schema_.size(), false);
    for (const RawEntry& e : raw_.entries) {
      const std::size_t seq = next_seq_++;
      auto idx = find(e.key);
      if (!idx) {
        unknown_key(e);
        continue;
      }
      const KeySpec& spec = schema_[*idx];
      Slot& slot = slots_[*idx];
      if (spec.unused && !warned_unused[*idx]) {
        warning(e.loc, spec.name, "accepted but not used yet");
        warned_unused[*idx] = true;
      }
      std::string text = e.value;
      if (e.bare) {
        if (spec.type == KeyType::Bool) {
          text = "true"; // gcfg: `Key` alone sets a bool
        } else if (spec.repeatable) {
          slot.values.clear(); // gcfg: `Key` alone empties a list, e.g. in an overlay
          continue;
        } else {
          const std::string hint = expectation(spec);
          error(e.loc, spec.name, "needs a value: write " + spec.name + " = <value>" + (hint.empty() ? "" : " (" + hint + ")"));
          slot.failed = true;
          continue;
        }
      }
      if (text.empty()) {
        if (spec.repeatable)
          warning(e.loc, spec.name, "empty value ignored");
        else
          slot.values.clear(); // "Key =" leaves it unset: environment and default apply
        continue;
      }
      if (!spec.repeatable) {
        if (!slot.values.empty() && slot.values.back().value.loc.file == e.loc.file)
          warning(e.loc, spec.name,
                  "also given on line " + std::to_string(slot.values.back().value.loc.line) +
                      "; the value on this line wins");
        slot.values.clear();
      }
      slot.values.push_back(Given{Value{std::move(text), 0, e.loc}, seq});
    }
  }

  void fill_from_files() {
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const KeySpec& spec = schema_[i];
      if (spec.file_of.empty() || slots_[i].values.empty()) continue;
      const Given& path = slots_[i].values.back();
      auto target = find(spec.file_of);
      if (!target) {
        error(path.value.loc, spec.name, "schema error: fills unknown key " + spec.file_of);
        continue;
      }
      const KeySpec& tspec = schema_[*target];
      Slot& tslot = slots_[*target];
      if (!tslot.values.empty()) {
        // Gravwell uses Ingest-Secret over Ingest-Secret-File; keep its files working.
        warning(path.value.loc, spec.name,
                "ignored, because " + tspec.name + " is given as well (" +
                    tslot.values.back().value.loc.file + ":" +
                    std::to_string(tslot.values.back().value.loc.line) + "); give only one of them");
        continue;
      }
      std::string content, err;
      if (!detail::read_file_limited(path.value.text, kMaxKeyFileBytes, content, err)) {
        error(path.value.loc, spec.name, "file \"" + path.value.text + "\" " + err + " (it should hold " + tspec.name + ")");
        tslot.failed = true;
        continue;
      }
      while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
      if (content.empty()) {
        error(path.value.loc, spec.name, "file \"" + path.value.text + "\" is empty (it should hold " + tspec.name + ")");
        tslot.failed = true;
        continue;
      }
      tslot.values.push_back(Given{Value{std::move(content), 0, path.value.loc}, path.seq});
    }
  }

  // Gravwell's NAME / NAME_FILE lookup for one name; false when neither is set.
  bool lookup_env(const std::string& name, std::string& out, Location& loc, bool& failed) {
    failed = false;
    if (auto v = env_(name); v && !trim(*v).empty()) {
      out = *v;
      loc = Location{"$" + name, 0};
      return true;
    }
    const std::string file_var = name + "_FILE";
    auto path = env_(file_var);
    if (!path || trim(*path).empty()) return false;
    loc = Location{"$" + file_var, 0};
    std::string content, err;
    const std::string p(trim(*path));
    if (!detail::read_file_limited(p, kMaxKeyFileBytes, content, err)) {
      out = "file \"" + p + "\" " + err;
      failed = true;
      return true;
    }
    content = content.substr(0, content.find('\n')); // Gravwell reads the first line
    if (!content.empty() && content.back() == '\r') content.pop_back();
    if (content.empty()) {
      out = "file \"" + p + "\" is empty";
      failed = true;
      return true;
    }
    out = std::move(content);
    return true;
  }

  void fill_from_env() {
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const KeySpec& spec = schema_[i];
      if (spec.env.empty() || !slots_[i].values.empty() || slots_[i].failed) continue;
      for (const auto& name : spec.env) {
        std::string text;
        Location loc;
        bool failed = false;
        if (!lookup_env(name, text, loc, failed)) continue;
        if (failed) {
          error(loc, spec.name, text);
          slots_[i].failed = true;
        } else if (spec.repeatable) {
          std::string_view rest = text;
          for (;;) { // comma list, blanks around items ignored, empty items skipped
            std::size_t comma = rest.find(',');
            std::string_view item = trim(rest.substr(0, comma));
            if (!item.empty()) slots_[i].values.push_back(Given{Value{std::string(item), 0, loc}, next_seq_++});
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
          }
        } else {
          if (spec.type != KeyType::String) text = std::string(trim(text));
          slots_[i].values.push_back(Given{Value{std::move(text), 0, loc}, next_seq_++});
        }
        break;
      }
    }
  }

  void check_values() {
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const KeySpec& spec = schema_[i];
      auto& values = slots_[i].values;
      values.erase(std::remove_if(values.begin(), values.end(),
                                  [&](Given& g) {
                                    if (convert(spec, g.value)) return false;
                                    const std::string shown = spec.secret ? " (not shown: secret)"
                                                                          : " \"" + g.value.text + "\"";
                                    error(g.value.loc, spec.name, "invalid value" + shown + ": " + expectation(spec));
                                    slots_[i].failed = true;
                                    return true;
                                  }),
                   values.end());
    }
  }

  void fill_defaults() {
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const KeySpec& spec = schema_[i];
      if (!spec.default_value || !slots_[i].values.empty() || slots_[i].failed) continue;
      Value v{*spec.default_value, 0, Location{"", 0}};
      if (!convert(spec, v)) {
        error(raw_.loc, spec.name, "schema error: the default is not valid: " + expectation(spec));
        continue;
      }
      slots_[i].values.push_back(Given{std::move(v), std::numeric_limits<std::size_t>::max()});
    }
  }

  void check_required() {
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const KeySpec& spec = schema_[i];
      if (!spec.required || !slots_[i].values.empty() || slots_[i].failed) continue;
      std::string msg = "required key is missing: add " + spec.name + " = <value>";
      for (const auto& k : schema_)
        if (canonical(k.file_of) == canonical(spec.name) && !k.file_of.empty()) msg += ", or " + k.name + " = <path>";
      for (const auto& e : spec.env) msg += ", or set $" + e;
      error(raw_.loc, spec.name, msg);
    }
  }

  // The checks run in phases; users read messages best in file order.
  void sort_diags(std::size_t first) {
    std::vector<std::string> files{raw_.loc.file};
    for (const auto& e : raw_.entries)
      if (files.back() != e.loc.file && std::find(files.begin(), files.end(), e.loc.file) == files.end())
        files.push_back(e.loc.file);
    auto rank = [&](const Diag& d) {
      auto it = std::find(files.begin(), files.end(), d.loc.file);
      return std::pair(static_cast<std::size_t>(it - files.begin()), d.loc.line); // env/defaults last
    };
    std::stable_sort(diags_.begin() + static_cast<std::ptrdiff_t>(first), diags_.end(),
                     [&](const Diag& a, const Diag& b) { return rank(a) < rank(b); });
  }

  ResolvedSection build() {
    struct Item {
      std::size_t seq, spec;
      Value* value;
    };
    std::vector<Item> order;
    for (std::size_t i = 0; i < schema_.size(); ++i)
      for (auto& g : slots_[i].values) order.push_back(Item{g.seq, i, &g.value});
    std::stable_sort(order.begin(), order.end(), [](const Item& a, const Item& b) { return a.seq < b.seq; });
    ResolvedSection out{raw_.name, raw_.instance, raw_.loc, {}};
    for (auto& it : order) out.items.emplace_back(&schema_[it.spec], std::move(*it.value));
    return out;
  }
};

} // namespace

const Value* ResolvedSection::get(std::string_view key_name) const {
  const std::string c = canonical(key_name);
  for (auto it = items.rbegin(); it != items.rend(); ++it)
    if (canonical(it->first->name) == c) return &it->second;
  return nullptr;
}

std::vector<const Value*> ResolvedSection::all(std::string_view key_name) const {
  const std::string c = canonical(key_name);
  std::vector<const Value*> out;
  for (const auto& [spec, value] : items)
    if (canonical(spec->name) == c) out.push_back(&value);
  return out;
}

ResolvedSection resolve(const RawSection& raw, const std::vector<KeySpec>& schema, std::vector<Diag>& diags,
                        const EnvFn& env) {
  return Resolver(raw, schema, diags, env).run();
}

} // namespace hr::cfg
