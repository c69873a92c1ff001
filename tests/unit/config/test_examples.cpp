// Whole files in the style of Gravwell's published Hosted Runner configs (data/).
#include "helpers.hpp"

using namespace hr::cfg;
using namespace cfgtest;

namespace {

// The Mimecast stanza as the shared page describes it; the plugin owns the real one.
const std::vector<KeySpec>& mimecast_schema() {
  static const std::vector<KeySpec> schema = [] {
    const std::vector<std::string> apis{"audit",       "mta-delivery",      "mta-receipt", "mta-process",
                                        "mta-av",      "mta-spam",          "mta-journal", "mta-internal",
                                        "mta-impersonation", "mta-url", "mta-attachment"};
    std::vector<KeySpec> s;
    s.push_back(KeySpec{.name = "Ingester-UUID", .type = KeyType::Uuid,
                        .default_value = "e528af50-3ccf-41be-b930-78ae9e10648d"});
    s.push_back(KeySpec{.name = "Client-Id", .required = true});
    s.push_back(KeySpec{.name = "Client-Secret", .required = true, .secret = true});
    s.push_back(KeySpec{.name = "Client-Secret-File", .file_of = "Client-Secret"});
    s.push_back(KeySpec{.name = "Api", .required = true, .repeatable = true, .choices = apis});
    s.push_back(KeySpec{.name = "Host", .type = KeyType::Url, .default_value = "https://api.services.mimecast.com"});
    s.push_back(KeySpec{.name = "Lookback", .type = KeyType::Int, .default_value = "24"});
    s.push_back(KeySpec{.name = "Tag-Name"});
    s.push_back(KeySpec{.name = "Tag-Prefix"});
    s.push_back(KeySpec{.name = "Requests-Per-Minute", .type = KeyType::Int, .default_value = "5"});
    s.push_back(KeySpec{.name = "Request-Interval", .type = KeyType::Int, .default_value = "300"});
    s.push_back(KeySpec{.name = "Preprocessor", .repeatable = true, .unused = true});
    return s;
  }();
  return schema;
}

const std::vector<KeySpec>& tester_schema() {
  static const std::vector<KeySpec> schema{KeySpec{.name = "Interval", .type = KeyType::Duration, .default_value = "1s"}};
  return schema;
}

const std::vector<KeySpec>& schema_for(const RawSection& s) {
  static const std::vector<KeySpec> none;
  const std::string kind = canonical(s.name);
  if (kind == "global") return global_schema();
  if (kind == "state") return state_schema();
  if (kind == "mimecast") return mimecast_schema();
  if (kind == "tester") return tester_schema();
  return none;
}

struct Loaded {
  RawDocument doc;
  std::vector<ResolvedSection> sections;
  std::vector<Diag> diags;
  const ResolvedSection& get(const std::string& name, std::optional<std::string> instance = std::nullopt) const {
    for (const auto& s : sections)
      if (canonical(s.name) == canonical(name) && s.instance == instance) return s;
    FAIL("no section " << name);
    throw 0;
  }
};

Loaded load(const std::string& path, EnvFn env = fake_env({})) {
  Loaded l;
  load_files(path, "", l.doc, l.diags);
  for (const auto& s : l.doc.sections) l.sections.push_back(resolve(s, schema_for(s), l.diags, env));
  return l;
}

} // namespace

TEST_CASE("example: the Gravwell-style example config", "[examples]") {
  Loaded l = load(data_file("gravwell_example.conf"));
  INFO(dump(l.diags));
  CHECK_FALSE(has_errors(l.diags));
  REQUIRE(l.sections.size() == 3);

  const auto& g = l.get("Global");
  CHECK(g.get("Ingest-Secret")->text == "IngestSecrets");
  CHECK(g.get("Connection-Timeout")->number == 0);
  CHECK(g.get("Insecure-Skip-TLS-Verify")->number == 0);
  auto targets = g.all("Cleartext-Backend-Target");
  REQUIRE(targets.size() == 2);
  CHECK(targets[0]->text == "172.19.0.2:4023");
  CHECK(targets[0]->loc.line == 6);
  CHECK(targets[1]->text == "172.19.0.3:4023");
  CHECK(g.get("Log-Level")->text == "INFO");
  CHECK(g.get("Ingester-UUID")->text == "e985bc57-8da7-4bd9-aaeb-cc8c7d489b42");

  const auto& st = l.get("State");
  CHECK(st.get("Path")->text == "/opt/gravwell/etc/hosted_runner.state");
  CHECK(st.get("Sync")->number == 0);

  const auto& m = l.get("Mimecast", "audit");
  CHECK(m.get("Client-Id")->text == "abc");
  CHECK(m.get("Client-Secret")->text == "s;e#c\"ret");
  auto apis = m.all("Api");
  REQUIRE(apis.size() == 2);
  CHECK(apis[0]->text == "audit");
  CHECK(apis[1]->text == "mta-delivery");
  CHECK(m.get("Lookback")->number == 24);
  CHECK(m.get("Lookback")->loc.line == 20);
  CHECK(m.get("Host")->text == "https://api.services.mimecast.com");
  CHECK(m.get("Ingester-UUID")->loc.line == 0); // the default

  // Only "accepted but not used yet" warnings, for the network keys.
  for (const auto& d : l.diags) CHECK_THAT(d.message, Catch::Equals("accepted but not used yet"));
}

TEST_CASE("example: the docs-style config (no indentation, commented-out keys)", "[examples]") {
  Loaded l = load(data_file("gravwell_docs.conf"));
  INFO(dump(l.diags));
  CHECK_FALSE(has_errors(l.diags));
  const auto& g = l.get("Global");
  CHECK(g.get("Ingest-Secret")->text == "IngestSecrets");
  CHECK(g.all("Cleartext-Backend-Target").size() == 1);
  CHECK(g.get("Verify-Remote-Certificates")->number == 1);
  CHECK(g.get("Log-File")->text == "/opt/gravwell/log/hosted_runner.log");
  const auto& m = l.get("Mimecast", "mimecast");
  CHECK(m.all("Api").size() == 5);
  CHECK(m.get("Tag-Prefix")->text == "mimecast");
  CHECK(m.get("Ingester-UUID")->text == "9a000000-0000-0000-0000-000000000000");
  CHECK(l.get("Tester", "smoke").get("Interval")->number == 1000000000);
}

TEST_CASE("example: main file plus hosted_runner.conf.d overlays", "[examples]") {
  Loaded l = load(data_file("overlay/hosted_runner.conf"));
  INFO(dump(l.diags));
  CHECK_FALSE(has_errors(l.diags));
  REQUIRE(l.sections.size() == 3);
  const auto& g = l.get("Global");
  CHECK(g.get("Log-Level")->text == "DEBUG");
  CHECK_THAT(g.get("Log-Level")->loc.file, Catch::EndsWith("20-global-tuning.conf"));
  auto targets = g.all("Cleartext-Backend-Target");
  REQUIRE(targets.size() == 2);
  CHECK(targets[0]->text == "10.10.0.1");
  CHECK(targets[1]->text == "10.10.0.2:4023");
  const auto& m = l.get("Mimecast", "prod");
  CHECK(m.get("Client-Secret")->text == "raw\"secret\\with;all#of it");
  CHECK(m.all("Api").size() == 2);
  CHECK(m.get("Lookback")->number == 168);
}

TEST_CASE("example: BOM and CRLF as a Windows editor saves them", "[examples]") {
  Loaded l = load(data_file("bom_crlf.conf"));
  INFO(dump(l.diags));
  CHECK(l.diags.empty());
  CHECK(l.get("Global").get("Log-Level")->text == "WARN");
  CHECK(l.get("Global").get("Label")->text == "windows edited");
  CHECK(l.get("State").get("Path")->text == "C:/gravwell/state");
}

TEST_CASE("example: a broken config reports every problem with file:line [section] key", "[examples]") {
  Loaded l = load(data_file("errors.conf"));
  const std::string file = data_file("errors.conf");
  const std::string all = dump(l.diags);
  INFO(all);
  for (const std::string& want :
       {file + ":2: [Global] Log-Level: invalid value \"LOUD\": expected one of OFF,",
        file + ":3: [Global] Ingester-UUID: invalid value \"1234\": expected a UUID",
        file + ":4: [Global] Connection-Timeout: invalid value \"soon\": expected a duration",
        file + ":5: [Global] Ingest-Secret: invalid escape \"\\q\"",
        file + ":6: [State] Path: required key is missing",
        file + ":10: [Mimecast \"bad\"] Client-Secret: missing closing '\"'",
        file + ":12: [Mimecast \"bad\"] Lookbak: unknown key; did you mean Lookback?",
        file + ":13: [Mimecast] empty instance name"}) {
    CHECK_THAT(all, Catch::Contains(want));
  }
  CHECK(all.find("hunter2") == std::string::npos);
  CHECK(all.find("oops") == std::string::npos);
  for (const auto& d : l.diags) {
    CHECK(d.loc.file == file);
    CHECK_FALSE(d.section.empty());
  }
}
