// load_files(): main file, overlay directory, limits.
#include "helpers.hpp"

#include <sys/stat.h>

using namespace hr::cfg;
using namespace cfgtest;

namespace {

const char* kMain = "[Global]\n"
                    "\tLog-Level=ERROR\n"
                    "\tCleartext-Backend-Target=10.0.0.1\n"
                    "[State]\n"
                    "\tPath=/var/lib/hr/state\n";

} // namespace

TEST_CASE("overlays: read in alphabetical order after the main file", "[files]") {
  TempDir dir;
  const std::string main = dir.write("hosted_runner.conf", kMain);
  dir.write("hosted_runner.conf.d/20-b.conf", "[Global]\n\tLog-Level=DEBUG\n\tCleartext-Backend-Target=10.0.0.3\n");
  dir.write("hosted_runner.conf.d/10-a.conf", "[global]\n\tLog-Level=INFO\n\tCleartext-Backend-Target=10.0.0.2\n");
  dir.write("hosted_runner.conf.d/30-c.conf", "[Tester \"t\"]\n\tInterval=5s\n");
  // Ignored: other extensions, backups, directories named *.conf.
  dir.write("hosted_runner.conf.d/00-ignored.txt", "[Global]\n\tLog-Level=OFF\n");
  dir.write("hosted_runner.conf.d/05.conf.bak", "[Global]\n\tLog-Level=OFF\n");
  dir.write("hosted_runner.conf.d/06.conf.d/x.conf", "[Global]\n\tLog-Level=OFF\n");
  std::filesystem::create_directories(dir.path() / "hosted_runner.conf.d" / "07-dir.conf");

  RawDocument doc;
  std::vector<Diag> diags;
  REQUIRE(load_files(main, "", doc, diags));
  INFO(dump(diags));
  REQUIRE(diags.empty());
  REQUIRE(doc.sections.size() == 3);
  CHECK(doc.sections[2].name == "Tester");

  ResolvedSection g = resolve(*doc.find("Global", std::nullopt), global_schema(), diags, fake_env({}));
  REQUIRE(g.get("Log-Level") != nullptr);
  CHECK(g.get("Log-Level")->text == "DEBUG"); // last overlay wins for a scalar
  CHECK(g.get("Log-Level")->loc.file == dir.file("hosted_runner.conf.d/20-b.conf"));
  CHECK(g.get("Log-Level")->loc.line == 2);
  auto targets = g.all("Cleartext-Backend-Target"); // lists append, in file order
  REQUIRE(targets.size() == 3);
  CHECK(targets[0]->text == "10.0.0.1");
  CHECK(targets[1]->text == "10.0.0.2");
  CHECK(targets[2]->text == "10.0.0.3");
}

TEST_CASE("overlays: a bare list key in an overlay clears the list (gcfg)", "[files]") {
  TempDir dir;
  const std::string main = dir.write("main.conf", kMain);
  dir.write("hosted_runner.conf.d/a.conf", "[Global]\n\tCleartext-Backend-Target\n\tCleartext-Backend-Target=10.9.9.9\n");
  RawDocument doc;
  std::vector<Diag> diags;
  REQUIRE(load_files(main, "", doc, diags));
  ResolvedSection g = resolve(doc.sections[0], global_schema(), diags, fake_env({}));
  auto targets = g.all("Cleartext-Backend-Target");
  REQUIRE(targets.size() == 1);
  CHECK(targets[0]->text == "10.9.9.9");
}

TEST_CASE("overlays: explicit directory, missing directory, file as directory", "[files]") {
  TempDir dir;
  const std::string main = dir.write("main.conf", kMain);
  dir.write("elsewhere/x.conf", "[Global]\n\tLabel=from-elsewhere\n");

  SECTION("explicit directory") {
    RawDocument doc;
    std::vector<Diag> diags;
    REQUIRE(load_files(main, dir.file("elsewhere"), doc, diags));
    CHECK(doc.sections[0].entries.back().value == "from-elsewhere");
  }
  SECTION("missing directory is fine") {
    RawDocument doc;
    std::vector<Diag> diags;
    CHECK(load_files(main, dir.file("does-not-exist"), doc, diags));
    CHECK(load_files(main, "", doc, diags)); // no hosted_runner.conf.d beside main
    CHECK(diags.empty());
  }
  SECTION("a file where the directory should be is an error") {
    const std::string not_dir = dir.write("hosted_runner.conf.d", "oops");
    RawDocument doc;
    std::vector<Diag> diags;
    CHECK_FALSE(load_files(main, "", doc, diags));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].loc.file == not_dir);
    CHECK_THAT(diags[0].message, Catch::Contains("not a directory"));
    CHECK(doc.sections.size() == 2); // the main file still loaded
  }
}

TEST_CASE("files: missing or unreadable main file names it", "[files]") {
  TempDir dir;
  RawDocument doc;
  std::vector<Diag> diags;
  const std::string missing = dir.file("nope.conf");
  CHECK_FALSE(load_files(missing, "", doc, diags));
  REQUIRE(diags.size() == 1);
  CHECK_THAT(diags[0].format(), Catch::StartsWith(missing + ": "));
  CHECK_THAT(diags[0].message, Catch::Contains("No such file"));

  diags.clear();
  CHECK_FALSE(load_files(dir.path().string(), "", doc, diags)); // a directory as the main file
  REQUIRE(diags.size() == 1);
  CHECK_THAT(diags[0].message, Catch::Contains("directory"));
}

TEST_CASE("files: unreadable overlay file is an error naming it", "[files]") {
  if (::geteuid() == 0) return; // root reads anything: nothing to test
  TempDir dir;
  const std::string main = dir.write("main.conf", kMain);
  const std::string o = dir.write("hosted_runner.conf.d/a.conf", "[Global]\n");
  ::chmod(o.c_str(), 0);
  RawDocument doc;
  std::vector<Diag> diags;
  CHECK_FALSE(load_files(main, "", doc, diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].loc.file == o);
}

TEST_CASE("files: 4 MiB limit per file", "[files]") {
  TempDir dir;
  std::string body = "[Global]\n\tLabel=\"";
  std::string big = body + std::string(kMaxConfigFileBytes - body.size() - 2, 'x') + "\"\n";
  REQUIRE(big.size() == kMaxConfigFileBytes);
  const std::string main = dir.write("main.conf", big);

  RawDocument doc;
  std::vector<Diag> diags;
  CHECK(load_files(main, "", doc, diags)); // exactly at the limit
  REQUIRE(doc.sections.size() == 1);
  CHECK(doc.sections[0].entries[0].value.size() == kMaxConfigFileBytes - body.size() - 2);

  const std::string over = dir.write("hosted_runner.conf.d/big.conf", big + "#");
  RawDocument doc2;
  diags.clear();
  CHECK_FALSE(load_files(main, "", doc2, diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].loc.file == over);
  CHECK_THAT(diags[0].message, Catch::Contains("larger than 4 MiB"));
}

TEST_CASE("files: errors in several files are all reported with their file", "[files]") {
  TempDir dir;
  const std::string main = dir.write("main.conf", "[Global]\n\tbad line\n");
  dir.write("hosted_runner.conf.d/a.conf", "[Global]\n\n\tx=\"open\n");
  RawDocument doc;
  std::vector<Diag> diags;
  CHECK_FALSE(load_files(main, "", doc, diags));
  REQUIRE(diags.size() == 2);
  CHECK_THAT(diags[0].format(), Catch::StartsWith(main + ":2: [Global] bad: "));
  CHECK_THAT(diags[1].format(), Catch::StartsWith(dir.file("hosted_runner.conf.d/a.conf") + ":3: [Global] x: "));
}
