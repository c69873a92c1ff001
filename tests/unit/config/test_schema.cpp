// resolve(): schema checks, env fallbacks, *-File keys, defaults; the host's own schemas.
#include "helpers.hpp"

#include <algorithm>
#include <cctype>

using namespace hr::cfg;
using namespace cfgtest;

namespace {

// A Mimecast-like schema, defined here so these tests do not depend on the plugin.
const std::vector<KeySpec>& test_schema() {
  static const std::vector<KeySpec> schema = [] {
    std::vector<KeySpec> s;
    s.push_back(KeySpec{.name = "Ingester-UUID", .type = KeyType::Uuid});
    s.push_back(KeySpec{.name = "Client-Id", .required = true, .env = {"MC_CLIENT_ID"}});
    s.push_back(KeySpec{.name = "Client-Secret", .required = true, .secret = true, .env = {"MC_SECRET"}});
    s.push_back(KeySpec{.name = "Client-Secret-File", .file_of = "Client-Secret"});
    s.push_back(KeySpec{.name = "Api", .required = true, .repeatable = true, .env = {"MC_APIS"}});
    s.push_back(KeySpec{.name = "Host", .type = KeyType::Url, .default_value = "https://api.services.mimecast.com/"});
    s.push_back(KeySpec{.name = "Lookback", .type = KeyType::Int, .default_value = "24", .env = {"MC_LOOKBACK"}});
    s.push_back(KeySpec{.name = "Request-Interval", .type = KeyType::Duration, .default_value = "300"});
    s.push_back(KeySpec{.name = "Verbose", .type = KeyType::Bool});
    s.push_back(KeySpec{.name = "Mode", .choices = {"fast", "Slow"}});
    s.push_back(KeySpec{.name = "Pin", .type = KeyType::Int, .secret = true});
    s.push_back(KeySpec{.name = "Preprocessor", .repeatable = true, .unused = true});
    return s;
  }();
  return schema;
}

struct Result {
  ResolvedSection section;
  std::vector<Diag> diags;
};

Result run(const std::string& body, EnvFn env = fake_env({}), const std::vector<KeySpec>& schema = test_schema()) {
  Result r;
  RawDocument doc = parse("# fixture\n[Mimecast \"prod\"]\n" + body, r.diags, "m.conf");
  INFO(dump(r.diags));
  REQUIRE_FALSE(has_errors(r.diags));
  REQUIRE(doc.sections.size() == 1);
  r.section = resolve(doc.sections[0], schema, r.diags, env);
  return r;
}

const std::string kMinimal = "\tClient-Id=abc\n\tClient-Secret=shh\n\tApi=audit\n"; // lines 3-5

const Diag* find_diag(const std::vector<Diag>& diags, const std::string& needle) {
  for (const auto& d : diags)
    if (d.format().find(needle) != std::string::npos) return &d;
  return nullptr;
}

} // namespace

TEST_CASE("resolve: a clean section, defaults appended with line 0", "[schema]") {
  Result r = run(kMinimal);
  INFO(dump(r.diags));
  CHECK(r.diags.empty());
  const ResolvedSection& s = r.section;
  CHECK(s.name == "Mimecast");
  CHECK(s.instance == std::optional<std::string>("prod"));
  CHECK(s.loc.line == 2);
  REQUIRE(s.items.size() == 6);
  CHECK(s.items[0].first->name == "Client-Id");
  CHECK(s.items[0].second.loc.line == 3);
  CHECK(s.items[2].first->name == "Api");
  for (std::size_t i = 3; i < 6; ++i) CHECK(s.items[i].second.loc.line == 0);
  REQUIRE(s.get("host"));
  CHECK(s.get("HOST")->text == "https://api.services.mimecast.com");
  CHECK(s.get("Lookback")->number == 24);
  CHECK(s.get("Request_Interval")->number == int64_t{300} * 1000000000);
  CHECK(s.get("Verbose") == nullptr);
  CHECK(s.all("Verbose").empty());
}

TEST_CASE("resolve: typed values are checked and normalised", "[schema]") {
  Result r = run(kMinimal + "\tIngester-UUID=\"E985BC57-8DA7-4BD9-AAEB-CC8C7D489B42\"\n"
                            "\tHost=HTTPS://eu.example.com:8443/\n"
                            "\tLookback=0x30\n"
                            "\tRequest-Interval=1m30s\n"
                            "\tVerbose=Yes\n"
                            "\tMode=SLOW\n");
  INFO(dump(r.diags));
  CHECK(r.diags.empty());
  const auto& s = r.section;
  CHECK(s.get("Ingester-UUID")->text == "e985bc57-8da7-4bd9-aaeb-cc8c7d489b42");
  CHECK(s.get("Host")->text == "https://eu.example.com:8443");
  CHECK(s.get("Lookback")->number == 48);
  CHECK(s.get("Lookback")->text == "0x30");
  CHECK(s.get("Request-Interval")->number == int64_t{90} * 1000000000);
  CHECK(s.get("Verbose")->text == "true");
  CHECK(s.get("Verbose")->number == 1);
  CHECK(s.get("Mode")->text == "Slow");
}

TEST_CASE("resolve: bad values are errors with file, line, section, key and what is valid", "[schema]") {
  struct Case {
    std::string line, key, expect;
  };
  for (const Case& c : {Case{"Ingester-UUID=1234", "Ingester-UUID", "expected a UUID"},
                        Case{"Host=api.example.com", "Host", "expected http(s)://host[:port][/path]"},
                        Case{"Lookback=24h", "Lookback", "expected a whole number"},
                        Case{"Request-Interval=soon", "Request-Interval", "expected a duration"},
                        Case{"Verbose=maybe", "Verbose", "expected true/yes/on/1 or false/no/off/0"},
                        Case{"Mode=medium", "Mode", "expected one of fast, Slow (any case)"}}) {
    INFO(c.line);
    Result r = run(kMinimal + "\t" + c.line + "\n");
    REQUIRE(count(r.diags, Severity::Error) == 1);
    const Diag& d = r.diags[0];
    CHECK(d.loc.file == "m.conf");
    CHECK(d.loc.line == 6);
    CHECK(d.key == c.key);
    CHECK_THAT(d.format(), Catch::StartsWith("m.conf:6: [Mimecast \"prod\"] " + c.key + ": invalid value \""));
    CHECK_THAT(d.message, Catch::Contains(c.expect));
    CHECK((r.section.get(c.key) == nullptr || r.section.get(c.key)->loc.line == 0)); // bad value left out
  }
}

TEST_CASE("resolve: a bad value does not fall back to the default", "[schema]") {
  Result r = run(kMinimal + "\tLookback=many\n");
  CHECK(r.section.get("Lookback") == nullptr);
  CHECK(count(r.diags, Severity::Error) == 1);
}

TEST_CASE("resolve: unknown keys", "[schema]") {
  SECTION("close to a known key: did you mean") {
    Result r = run(kMinimal + "\tClient-Scret=x\n");
    REQUIRE(r.diags.size() == 1);
    CHECK(r.diags[0].format() == "m.conf:6: [Mimecast \"prod\"] Client-Scret: unknown key; did you mean Client-Secret?");
  }
  SECTION("underscores and case are fine, not unknown") {
    Result r = run("\tclient_id=abc\n\tCLIENT-SECRET=shh\n\tapi=audit\n");
    CHECK(r.diags.empty());
    CHECK(r.section.get("Client-Id")->text == "abc");
  }
  SECTION("far from every key: the valid keys are listed") {
    Result r = run(kMinimal + "\tTotally-Different-Thing=1\n");
    REQUIRE(r.diags.size() == 1);
    CHECK_THAT(r.diags[0].format(), Catch::StartsWith("m.conf:6: [Mimecast \"prod\"] Totally-Different-Thing: unknown key; "
                                                      "valid keys here: Ingester-UUID, Client-Id, Client-Secret,"));
    CHECK_THAT(r.diags[0].message, Catch::EndsWith("Pin, Preprocessor"));
  }
  SECTION("every unknown key is reported") {
    Result r = run(kMinimal + "\tFoo=1\n\tBar=2\n");
    CHECK(count(r.diags, Severity::Error) == 2);
  }
}

TEST_CASE("resolve: required keys", "[schema]") {
  Result r = run("\tIngester-UUID=e985bc57-8da7-4bd9-aaeb-cc8c7d489b42\n");
  REQUIRE(count(r.diags, Severity::Error) == 3);
  const Diag* d = find_diag(r.diags, "Client-Secret:");
  REQUIRE(d != nullptr);
  CHECK(d->loc.line == 2); // the section header
  CHECK(d->format() == "m.conf:2: [Mimecast \"prod\"] Client-Secret: required key is missing: add Client-Secret = "
                       "<value>, or Client-Secret-File = <path>, or set $MC_SECRET");
  CHECK(find_diag(r.diags, "Api: required key is missing") != nullptr);
}

TEST_CASE("resolve: scalars, last wins; lists, once per value", "[schema]") {
  Result r = run("\tClient-Id=first\n\tApi=audit\n\tClient-Secret=s\n\tApi=mta-av\n\tClient-Id=second\n\tApi=audit\n");
  // One warning for the scalar given twice in one file.
  REQUIRE(r.diags.size() == 1);
  CHECK(r.diags[0].severity == Severity::Warning);
  CHECK(r.diags[0].loc.line == 7);
  CHECK_THAT(r.diags[0].message, Catch::Contains("also given on line 3"));
  CHECK(r.section.get("Client-Id")->text == "second");
  auto apis = r.section.all("api");
  REQUIRE(apis.size() == 3);
  CHECK(apis[0]->text == "audit");
  CHECK(apis[1]->text == "mta-av");
  CHECK(apis[2]->text == "audit");
  // File order, with the scalar at its last occurrence.
  std::vector<std::string> order;
  for (const auto& [spec, v] : r.section.items)
    if (v.loc.line != 0) order.push_back(spec->name);
  CHECK(order == std::vector<std::string>{"Api", "Client-Secret", "Api", "Client-Id", "Api"});
}

TEST_CASE("resolve: bare keys", "[schema]") {
  SECTION("bool: true") {
    Result r = run(kMinimal + "\tVerbose\n");
    CHECK(r.diags.empty());
    CHECK(r.section.get("Verbose")->text == "true");
    CHECK(r.section.get("Verbose")->number == 1);
  }
  SECTION("other types: needs a value") {
    Result r = run(kMinimal + "\tLookback\n");
    REQUIRE(r.diags.size() == 1);
    CHECK_THAT(r.diags[0].format(), Catch::StartsWith("m.conf:6: [Mimecast \"prod\"] Lookback: needs a value: write "
                                                      "Lookback = <value>"));
  }
  SECTION("a list: cleared") {
    Result r = run(kMinimal + "\tApi=x\n\tApi\n\tApi=y\n");
    auto apis = r.section.all("Api");
    REQUIRE(apis.size() == 1);
    CHECK(apis[0]->text == "y");
  }
}

TEST_CASE("resolve: empty values", "[schema]") {
  SECTION("an empty scalar is unset, so the environment or default applies") {
    Result r = run(kMinimal + "\tLookback=\n", fake_env({{"MC_LOOKBACK", "12"}}));
    CHECK(r.diags.empty());
    CHECK(r.section.get("Lookback")->number == 12);
    CHECK(r.section.get("Lookback")->loc.file == "$MC_LOOKBACK");
  }
  SECTION("an empty required scalar is missing") {
    Result r = run("\tClient-Id=\"\"\n\tClient-Secret=s\n\tApi=a\n");
    CHECK(find_diag(r.diags, "Client-Id: required key is missing") != nullptr);
  }
  SECTION("an empty list item is ignored with a warning") {
    Result r = run(kMinimal + "\tApi=\n");
    REQUIRE(r.diags.size() == 1);
    CHECK(r.diags[0].severity == Severity::Warning);
    CHECK(r.section.all("Api").size() == 1);
  }
}

TEST_CASE("resolve: environment fallbacks", "[schema]") {
  TempDir dir;
  SECTION("fills keys the file leaves out, never overrides the file") {
    Result r = run("\tClient-Id=from-file\n",
                   fake_env({{"MC_CLIENT_ID", "from-env"}, {"MC_SECRET", "env-secret"}, {"MC_APIS", " audit, mta-av ,,x"}}));
    INFO(dump(r.diags));
    CHECK(r.diags.empty());
    CHECK(r.section.get("Client-Id")->text == "from-file");
    CHECK(r.section.get("Client-Secret")->text == "env-secret");
    CHECK(r.section.get("Client-Secret")->loc.file == "$MC_SECRET");
    CHECK(r.section.get("Client-Secret")->loc.line == 0);
    auto apis = r.section.all("Api");
    REQUIRE(apis.size() == 3);
    CHECK(apis[0]->text == "audit");
    CHECK(apis[1]->text == "mta-av");
    CHECK(apis[2]->text == "x");
  }
  SECTION("NAME_FILE: first line of the file") {
    const std::string f = dir.write("secret", "line-one\r\nline-two\n");
    Result r = run("\tClient-Id=a\n\tApi=b\n", fake_env({{"MC_SECRET_FILE", f}}));
    CHECK(r.diags.empty());
    CHECK(r.section.get("Client-Secret")->text == "line-one");
    CHECK(r.section.get("Client-Secret")->loc.file == "$MC_SECRET_FILE");
  }
  SECTION("NAME wins over NAME_FILE; an empty NAME counts as unset") {
    const std::string f = dir.write("secret", "from-file\n");
    Result a = run("\tClient-Id=a\n\tApi=b\n", fake_env({{"MC_SECRET", "direct"}, {"MC_SECRET_FILE", f}}));
    CHECK(a.section.get("Client-Secret")->text == "direct");
    Result b = run("\tClient-Id=a\n\tApi=b\n", fake_env({{"MC_SECRET", ""}, {"MC_SECRET_FILE", f}}));
    CHECK(b.section.get("Client-Secret")->text == "from-file");
  }
  SECTION("NAME_FILE that cannot be read or is empty is an error") {
    Result r = run("\tClient-Id=a\n\tApi=b\n", fake_env({{"MC_SECRET_FILE", dir.file("missing")}}));
    REQUIRE(r.diags.size() == 1); // no "required key is missing" on top
    CHECK_THAT(r.diags[0].format(), Catch::StartsWith("$MC_SECRET_FILE: [Mimecast \"prod\"] Client-Secret: file \""));
    CHECK_THAT(r.diags[0].message, Catch::Contains("No such file"));
    const std::string empty = dir.write("empty", "\n");
    Result e = run("\tClient-Id=a\n\tApi=b\n", fake_env({{"MC_SECRET_FILE", empty}}));
    REQUIRE(e.diags.size() == 1);
    CHECK_THAT(e.diags[0].message, Catch::Contains("is empty"));
  }
  SECTION("environment values are type-checked, located at $NAME") {
    Result r = run(kMinimal, fake_env({{"MC_LOOKBACK", "lots"}}));
    REQUIRE(r.diags.size() == 1);
    CHECK_THAT(r.diags[0].format(), Catch::StartsWith("$MC_LOOKBACK: [Mimecast \"prod\"] Lookback: invalid value"));
    Result ok = run(kMinimal, fake_env({{"MC_LOOKBACK", " 7 "}}));
    CHECK(ok.section.get("Lookback")->number == 7);
  }
  SECTION("an empty EnvFn means the process environment") {
    ::setenv("HR_CFG_TEST_CLIENT", "from-process", 1);
    std::vector<KeySpec> schema{KeySpec{.name = "Client-Id", .env = {"HR_CFG_TEST_CLIENT"}}};
    std::vector<Diag> diags;
    RawSection raw{"K", std::nullopt, {"x", 1}, {}};
    ResolvedSection s = resolve(raw, schema, diags);
    ::unsetenv("HR_CFG_TEST_CLIENT");
    REQUIRE(s.get("Client-Id"));
    CHECK(s.get("Client-Id")->text == "from-process");
  }
}

TEST_CASE("resolve: *-File keys fill their target", "[schema]") {
  TempDir dir;
  const std::string base = "\tClient-Id=a\n\tApi=b\n";
  SECTION("content with trailing newlines trimmed") {
    const std::string f = dir.write("s", "top secret\r\n\n");
    Result r = run(base + "\tClient-Secret-File=" + f + "\n");
    CHECK(r.diags.empty());
    CHECK(r.section.get("Client-Secret")->text == "top secret");
    CHECK(r.section.get("Client-Secret")->loc.line == 5);
    CHECK(r.section.get("Client-Secret-File")->text == f);
  }
  SECTION("wins over the environment") {
    const std::string f = dir.write("s", "from-file");
    Result r = run(base + "\tClient-Secret-File=" + f + "\n", fake_env({{"MC_SECRET", "from-env"}}));
    CHECK(r.section.get("Client-Secret")->text == "from-file");
  }
  SECTION("both given: the direct value wins, with a warning") {
    const std::string f = dir.write("s", "from-file");
    Result r = run(base + "\tClient-Secret=direct\n\tClient-Secret-File=" + f + "\n");
    REQUIRE(r.diags.size() == 1);
    CHECK(r.diags[0].severity == Severity::Warning);
    CHECK(r.diags[0].key == "Client-Secret-File");
    CHECK_THAT(r.diags[0].message, Catch::Contains("give only one of them"));
    CHECK(r.section.get("Client-Secret")->text == "direct");
  }
  SECTION("missing, too large, empty: errors naming the path") {
    struct Case {
      std::string path, needle;
    };
    for (const Case& c : {Case{dir.file("nope"), "No such file"},
                          Case{dir.write("big", std::string(16 * 1024 + 1, 'x')), "larger than 16 KiB"},
                          Case{dir.write("empty", "\r\n"), "is empty"}, Case{dir.path().string(), "directory"}}) {
      INFO(c.path);
      Result r = run(base + "\tClient-Secret-File=" + c.path + "\n");
      REQUIRE(r.diags.size() == 1);
      CHECK_THAT(r.diags[0].format(), Catch::StartsWith("m.conf:5: [Mimecast \"prod\"] Client-Secret-File: file \"" + c.path));
      CHECK_THAT(r.diags[0].message, Catch::Contains(c.needle));
    }
    const std::string ok = dir.write("max", std::string(16 * 1024, 'y'));
    Result r = run(base + "\tClient-Secret-File=" + ok + "\n");
    CHECK(r.diags.empty());
  }
}

TEST_CASE("resolve: secrets never appear in diagnostics", "[schema]") {
  TempDir dir;
  const std::string secret = "Sup3rS3cret";
  Result r = run(kMinimal + "\tPin=" + secret + "\n", fake_env({}));
  REQUIRE(r.diags.size() == 1);
  CHECK_THAT(r.diags[0].message, Catch::Contains("invalid value (not shown: secret)"));
  CHECK(r.diags[0].format().find(secret) == std::string::npos);

  // Nor through the environment, nor in parse errors around them.
  std::vector<Diag> diags;
  RawDocument doc = parse("[Mimecast \"p\"]\n\tClient-Secret=" + secret + "#tail\n\tClient-Secret=\"" + secret +
                              "\\x\"\n\tPin=\"" + secret + "\n",
                          diags);
  resolve(doc.sections[0], test_schema(), diags, fake_env({{"MC_CLIENT_ID", secret}}));
  std::vector<KeySpec> pin_env{KeySpec{.name = "Pin", .type = KeyType::Int, .secret = true, .env = {"PIN"}}};
  resolve(RawSection{"K", std::nullopt, {"x", 1}, {}}, pin_env, diags, fake_env({{"PIN", secret}}));
  CHECK(diags.size() >= 4);
  for (const auto& d : diags) {
    INFO(d.format());
    CHECK(d.format().find(secret) == std::string::npos);
    CHECK(d.format().find("tail") == std::string::npos);
  }
}

TEST_CASE("resolve: keys accepted but not used warn once", "[schema]") {
  Result r = run(kMinimal + "\tPreprocessor=a\n\tPreprocessor=b\n");
  REQUIRE(r.diags.size() == 1);
  CHECK(r.diags[0].format() == "m.conf:6: warning: [Mimecast \"prod\"] Preprocessor: accepted but not used yet");
  CHECK(r.section.all("Preprocessor").size() == 2);
}

TEST_CASE("resolve: a section that takes no keys", "[schema]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[Empty]\nx=1\n", diags);
  resolve(doc.sections[0], {}, diags);
  REQUIRE(diags.size() == 1);
  CHECK_THAT(diags[0].message, Catch::Contains("takes no keys"));
}

TEST_CASE("global_schema: every key of the shared page", "[schema][global]") {
  const auto& g = global_schema();
  auto spec = [&](const std::string& name) -> const KeySpec* {
    for (const auto& k : g)
      if (k.name == name) return &k;
    return nullptr;
  };
  for (const char* name :
       {"Ingest-Secret", "Ingest-Secret-File", "Cleartext-Backend-Target", "Encrypted-Backend-Target",
        "Pipe-Backend-Target", "File-Backend-Target", "Connection-Timeout", "Insecure-Skip-TLS-Verify",
        "Ingest-Cache-Path", "Max-Ingest-Cache", "Cache-Mode", "Cache-Depth", "Log-Level", "Log-File", "Ingester-UUID",
        "Ingester-Name", "Label", "Enable-Compression", "Rate-Limit", "Source-Override", "Log-Source-Override",
        "Disable-Self-Ingest", "Stats-Sample-Interval", "Max-Entry-Size"}) {
    INFO(name);
    CHECK(spec(name) != nullptr);
  }
  CHECK(spec("Ingest-Secret")->secret);
  CHECK(spec("Ingest-Secret-File")->file_of == "Ingest-Secret");
  for (const char* list : {"Cleartext-Backend-Target", "Encrypted-Backend-Target", "Pipe-Backend-Target", "File-Backend-Target"})
    CHECK(spec(list)->repeatable);
  CHECK_FALSE(spec("File-Backend-Target")->unused);
  CHECK_FALSE(spec("Cleartext-Backend-Target")->unused);
  CHECK_FALSE(spec("Ingest-Cache-Path")->unused);
  CHECK(spec("Cache-Depth")->unused);
  CHECK(spec("Enable-Compression")->unused);
  CHECK(spec("Max-Pending-MB")->default_value == "64");
  CHECK(spec("Ingester-UUID")->type == KeyType::Uuid);
  CHECK(spec("Connection-Timeout")->type == KeyType::Duration);
  auto has_env = [&](const char* key, const char* env) {
    const auto& e = spec(key)->env;
    return std::find(e.begin(), e.end(), env) != e.end();
  };
  CHECK(has_env("Ingest-Secret", "GRAVWELL_INGEST_SECRET"));
  CHECK(has_env("Log-Level", "GRAVWELL_LOG_LEVEL"));
  CHECK(has_env("Cleartext-Backend-Target", "GRAVWELL_CLEARTEXT_TARGETS"));
  CHECK(has_env("Encrypted-Backend-Target", "GRAVWELL_ENCRYPTED_TARGETS"));
  CHECK(has_env("Pipe-Backend-Target", "GRAVWELL_PIPE_TARGETS"));
  CHECK(has_env("Ingest-Cache-Path", "GRAVWELL_CACHE_PATH"));
  CHECK(has_env("Ingester-UUID", "GRAVWELL_INGESTER_UUID"));
  // Names unique, canonically; file_of targets exist.
  for (std::size_t i = 0; i < g.size(); ++i) {
    for (std::size_t j = i + 1; j < g.size(); ++j) CHECK(canonical(g[i].name) != canonical(g[j].name));
    if (!g[i].file_of.empty()) CHECK(spec(g[i].file_of) != nullptr);
  }
}

TEST_CASE("global_schema: values and environment", "[schema][global]") {
  auto global = [](const std::string& body, EnvFn env, std::vector<Diag>& diags) {
    RawDocument doc = parse("[Global]\n" + body, diags, "g.conf");
    REQUIRE(doc.sections.size() == 1);
    return resolve(doc.sections[0], global_schema(), diags, env);
  };
  SECTION("Log-Level: any case, normalised; default INFO (ours: progress is visible)") {
    for (const char* lvl : {"off", "Debug", "INFO", "warn", "error", "critical", "FATAL"}) {
      std::vector<Diag> diags;
      auto s = global(std::string("Log-Level=") + lvl + "\n", fake_env({}), diags);
      CHECK_FALSE(has_errors(diags));
      std::string upper(lvl);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      CHECK(s.get("Log-Level")->text == upper); // normalised to the listed spelling
    }
    std::vector<Diag> diags;
    auto s = global("", fake_env({}), diags);
    CHECK(s.get("Log-Level")->text == "INFO");
    CHECK(s.get("Log-Level")->loc.line == 0);
    global("Log-Level=verbose\n", fake_env({}), diags);
    REQUIRE(has_errors(diags));
    CHECK_THAT(dump(diags), Catch::Contains("g.conf:2: [Global] Log-Level: invalid value \"verbose\": expected one of "
                                            "OFF, DEBUG, INFO, WARN, ERROR, CRITICAL, FATAL (any case)"));
  }
  SECTION("Cache-Mode always/fail") {
    std::vector<Diag> diags;
    auto s = global("Cache-Mode=FAIL\n", fake_env({}), diags);
    CHECK_FALSE(has_errors(diags));
    CHECK(s.get("Cache-Mode")->text == "fail");
    global("Cache-Mode=sometimes\n", fake_env({}), diags);
    CHECK(has_errors(diags));
  }
  SECTION("Ingest-Secret from GRAVWELL_INGEST_SECRET(_FILE), targets from comma lists") {
    TempDir dir;
    const std::string f = dir.write("s", "filesecret\n");
    std::vector<Diag> diags;
    auto s = global("File-Backend-Target=-\n",
                    fake_env({{"GRAVWELL_INGEST_SECRET_FILE", f},
                              {"GRAVWELL_CLEARTEXT_TARGETS", "10.0.0.1:4023,10.0.0.2"},
                              {"GRAVWELL_LOG_LEVEL", "info"}}),
                    diags);
    CHECK_FALSE(has_errors(diags));
    CHECK(s.get("Ingest-Secret")->text == "filesecret");
    CHECK(s.all("Cleartext-Backend-Target").size() == 2);
    CHECK(s.get("Log-Level")->text == "INFO");
    CHECK(s.get("File-Backend-Target")->text == "-");
  }
  SECTION("Ingest-Secret-File") {
    TempDir dir;
    const std::string f = dir.write("s", "IngestSecrets\n");
    std::vector<Diag> diags;
    auto s = global("Ingest-Secret-File=" + f + "\n", fake_env({{"GRAVWELL_INGEST_SECRET", "env"}}), diags);
    CHECK_FALSE(has_errors(diags));
    CHECK(s.get("Ingest-Secret")->text == "IngestSecrets");
  }
  SECTION("unused keys warn") {
    std::vector<Diag> diags;
    global("Cache-Depth=5\nEnable-Compression=true\nLog-File=/tmp/l\nIngest-Cache-Path=/tmp/c\n", fake_env({}), diags);
    CHECK(count(diags, Severity::Warning) == 2);
    CHECK_FALSE(has_errors(diags));
  }
  SECTION("Ingester-UUID must be a UUID") {
    std::vector<Diag> diags;
    global("Ingester-UUID=not-a-uuid\n", fake_env({}), diags);
    CHECK_THAT(dump(diags), Catch::Contains("g.conf:2: [Global] Ingester-UUID: invalid value \"not-a-uuid\": expected a UUID"));
  }
}

TEST_CASE("state_schema", "[schema]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[State]\n\tSync\n[state]\n\tPath=/opt/gravwell/etc/hosted_runner.state\n", diags);
  REQUIRE(doc.sections.size() == 1);
  auto s = resolve(doc.sections[0], state_schema(), diags, fake_env({}));
  CHECK(diags.empty());
  CHECK(s.get("Sync")->number == 1);
  CHECK(s.get("Path")->text == "/opt/gravwell/etc/hosted_runner.state");

  RawDocument empty = parse("[State]\n", diags);
  auto e = resolve(empty.sections[0], state_schema(), diags, fake_env({}));
  CHECK_THAT(dump(diags), Catch::Contains("t.conf:1: [State] Path: required key is missing"));
  CHECK(e.get("Sync")->text == "false");
}

TEST_CASE("resolve: diagnostics come out in file order", "[schema]") {
  Result r = run(kMinimal + "\tLookback=x\n\tFoo=1\n\tClient_Secret\n");
  REQUIRE(r.diags.size() == 3);
  CHECK(r.diags[0].loc.line == 6);
  CHECK(r.diags[1].loc.line == 7);
  CHECK(r.diags[2].loc.line == 8);
  CHECK(r.diags[2].format() == "m.conf:8: [Mimecast \"prod\"] Client-Secret: needs a value: write Client-Secret = <value>");
}
