// The gcfg dialect as parse_text() reads it.
#include "helpers.hpp"

using namespace hr::cfg;
using namespace cfgtest;

namespace {

const RawEntry& entry(const RawSection& s, std::size_t i) {
  REQUIRE(i < s.entries.size());
  return s.entries[i];
}

std::string value_of(const std::string& line) {
  RawSection s = one_section("[S]\n" + line + "\n");
  REQUIRE(s.entries.size() == 1);
  return s.entries[0].value;
}

// Parses text expected to fail; returns the diagnostics.
std::vector<Diag> errors_of(const std::string& text, RawDocument* out = nullptr) {
  std::vector<Diag> diags;
  RawDocument doc;
  CHECK_FALSE(parse_text(text, "bad.conf", doc, diags));
  CHECK(has_errors(diags));
  if (out) *out = doc;
  return diags;
}

} // namespace

TEST_CASE("sections: plain and with an instance", "[dialect]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[Global]\n[Mimecast \"audit\"]\n[Mimecast \"with space\"]\n", diags);
  REQUIRE(diags.empty());
  REQUIRE(doc.sections.size() == 3);
  CHECK(doc.sections[0].name == "Global");
  CHECK_FALSE(doc.sections[0].instance.has_value());
  CHECK(doc.sections[0].loc.line == 1);
  CHECK(doc.sections[0].loc.file == "t.conf");
  CHECK(doc.sections[1].name == "Mimecast");
  CHECK(doc.sections[1].instance == std::optional<std::string>("audit"));
  CHECK(doc.sections[2].instance == std::optional<std::string>("with space"));
  CHECK(doc.sections[2].loc.line == 3);
}

TEST_CASE("sections: names case-insensitive with - == _, instances case-sensitive", "[dialect]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[My-Kind \"a\"]\nx=1\n[my_kind \"a\"]\ny=2\n[MY-KIND \"A\"]\nz=3\n[ my-kind  \"a\" ]\nw=4\n",
                          diags);
  REQUIRE(diags.empty());
  REQUIRE(doc.sections.size() == 2);
  CHECK(doc.sections[0].name == "My-Kind"); // as first written
  REQUIRE(doc.sections[0].entries.size() == 3);
  CHECK(doc.sections[0].entries[1].key == "y");
  CHECK(doc.sections[0].entries[2].key == "w");
  CHECK(doc.sections[1].instance == std::optional<std::string>("A"));
  CHECK(doc.find("MY_KIND", std::string("a")) == &doc.sections[0]);
  CHECK(doc.find("my-kind", std::nullopt) == nullptr);
}

TEST_CASE("sections: a repeated header continues the same section", "[dialect]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[Mimecast \"a\"]\nApi=audit\n[Global]\nLog-Level=INFO\n[Mimecast \"a\"]\nApi=mta-av\n", diags);
  REQUIRE(diags.empty());
  REQUIRE(doc.sections.size() == 2);
  const RawSection& m = doc.sections[0];
  REQUIRE(m.entries.size() == 2);
  CHECK(m.entries[0].value == "audit");
  CHECK(m.entries[1].value == "mta-av");
  CHECK(m.entries[1].loc.line == 6);
  CHECK(m.loc.line == 1);
}

TEST_CASE("sections: instance escapes", "[dialect]") {
  RawSection s = one_section("[K \"a \\\"quoted\\\" \\\\ name\"]\n");
  CHECK(s.instance == std::optional<std::string>("a \"quoted\" \\ name"));
}

TEST_CASE("sections: an empty section still exists", "[dialect]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[State]\n# nothing yet\n", diags);
  REQUIRE(diags.empty());
  REQUIRE(doc.sections.size() == 1);
  CHECK(doc.sections[0].entries.empty());
}

TEST_CASE("sections: bad headers are errors naming file and line", "[dialect]") {
  struct Case {
    const char* text;
    const char* needle;
  };
  for (Case c : {Case{"[]\n", "without a name"}, Case{"[Mimecast \"\"]\n", "empty instance name"},
                 Case{"[Mimecast \"a]\n", "missing its closing"}, Case{"[Mimecast \"a\"\n", "missing ']'"},
                 Case{"[Mimecast a]\n", "unexpected 'a' in section header"},
                 Case{"[Mimecast 'a']\n", "unexpected '''"}, Case{"[Mimecast \"a\" \"b\"]\n", "unexpected '\"'"},
                 Case{"[Mimecast \"a\\q\"]\n", "invalid escape \"\\q\""}, Case{"[Global] x\n", "after ']'"},
                 Case{"[1abc]\n", "where a section name should start"}, Case{"[a.b]\n", "unexpected '.'"},
                 Case{"[Global\n", "missing ']'"}}) {
    INFO(c.text);
    auto diags = errors_of(std::string("# first line\n") + c.text);
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].loc.file == "bad.conf");
    CHECK(diags[0].loc.line == 2);
    CHECK_THAT(diags[0].message, Catch::Contains(c.needle));
    CHECK_THAT(diags[0].format(), Catch::StartsWith("bad.conf:2: "));
  }
}

TEST_CASE("sections: keys under a broken header are dropped, parsing goes on", "[dialect]") {
  RawDocument doc;
  auto diags = errors_of("[Bad \"x]\nKey=1\n[Good]\nKey=2\n", &doc);
  CHECK(diags.size() == 1);
  REQUIRE(doc.sections.size() == 1);
  CHECK(doc.sections[0].name == "Good");
  CHECK(entry(doc.sections[0], 0).value == "2");
}

TEST_CASE("keys: spaces around '=' ignored, indentation is not continuation", "[dialect]") {
  RawSection s = one_section("[Global]\n"
                             "\tIngest-Secret = IngestSecrets\n"
                             "    Connection-Timeout=0\n"
                             "Log-Level   =    INFO   \n"
                             " \t Label=\tx y\t\n"
                             "\t\tCleartext-Backend-Target=172.19.0.2:4023\n");
  REQUIRE(s.entries.size() == 5);
  CHECK(entry(s, 0).key == "Ingest-Secret");
  CHECK(entry(s, 0).value == "IngestSecrets");
  CHECK(entry(s, 0).loc.line == 2);
  CHECK(entry(s, 1).key == "Connection-Timeout");
  CHECK(entry(s, 1).value == "0");
  CHECK(entry(s, 2).value == "INFO");
  CHECK(entry(s, 3).key == "Label");
  CHECK(entry(s, 3).value == "x y");
  CHECK(entry(s, 4).key == "Cleartext-Backend-Target");
  CHECK(entry(s, 4).value == "172.19.0.2:4023");
  CHECK(entry(s, 4).loc.line == 6);
  for (const auto& e : s.entries) CHECK_FALSE(e.bare);
}

TEST_CASE("keys: ':' is part of a value, not a separator", "[dialect]") {
  RawSection s = one_section("[S]\nHost=https://x:1/a\n");
  CHECK(entry(s, 0).value == "https://x:1/a");
}

TEST_CASE("keys: errors", "[dialect]") {
  SECTION("key before any section") {
    auto d = errors_of("Key=1\n[S]\n");
    REQUIRE(d.size() == 1);
    CHECK(d[0].loc.line == 1);
    CHECK(d[0].key == "Key");
    CHECK_THAT(d[0].message, Catch::Contains("outside any section"));
  }
  SECTION("no '=' but more text") {
    auto d = errors_of("[S]\nKey value\n");
    REQUIRE(d.size() == 1);
    CHECK(d[0].key == "Key");
    CHECK(d[0].section == "S");
    CHECK_THAT(d[0].message, Catch::Contains("expected '='"));
    CHECK_THAT(d[0].format(), Catch::StartsWith("bad.conf:2: [S] Key: "));
  }
  SECTION("key: value (inih would accept ':')") {
    auto d = errors_of("[S]\nKey: value\n");
    CHECK_THAT(d[0].message, Catch::Contains("expected '='"));
  }
  SECTION("line starting with junk") {
    auto d = errors_of("[S]\n=value\n");
    CHECK_THAT(d[0].message, Catch::Contains("unexpected '='"));
  }
  SECTION("all errors are collected") {
    auto d = errors_of("[S]\na b\n[\nc=\"x\n[T \"\"]\nd=\\q\n");
    CHECK(d.size() == 5);
  }
}

TEST_CASE("keys: a bare key has the bare flag and an empty value", "[dialect]") {
  RawSection s = one_section("[S]\n\tEnable\n\tOther # comment\n\tEmpty=\n");
  REQUIRE(s.entries.size() == 3);
  CHECK(entry(s, 0).bare);
  CHECK(entry(s, 0).value.empty());
  CHECK(entry(s, 1).bare);
  CHECK_FALSE(entry(s, 2).bare);
  CHECK(entry(s, 2).value.empty());
}

TEST_CASE("comments: whole lines and inline", "[dialect]") {
  RawSection s = one_section("# top\n; top too\n[State] # header comment\n"
                             "\t# indented\n  ; indented\n"
                             "\tSync=false #do not fsync\n"
                             "\tx=1 ; c\n"
                             "\ty=a ;b\n"
                             "\tz=\"a;b#c\" # kept inside quotes\n"
                             "\tw=\"#\"\n");
  REQUIRE(s.entries.size() == 5);
  CHECK(entry(s, 0).value == "false");
  CHECK(entry(s, 1).value == "1");
  CHECK(entry(s, 2).value == "a");
  CHECK(entry(s, 3).value == "a;b#c");
  CHECK(entry(s, 4).value == "#");
}

TEST_CASE("comments: a comment glued to a value warns that it cuts the value", "[dialect]") {
  std::vector<Diag> diags;
  RawDocument doc = parse("[S]\nSecret=abc#def\nOk=abc #def\nQ=\"abc\"#def\nSemi=x;y\n", diags);
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].severity == Severity::Warning);
  CHECK(diags[0].loc.line == 2);
  CHECK(diags[0].message.find("def") == std::string::npos); // never echoes the value
  CHECK(diags[1].loc.line == 5);
  CHECK_THAT(diags[1].message, Catch::Contains("';'"));
  REQUIRE(doc.sections[0].entries.size() == 4);
  CHECK(doc.sections[0].entries[0].value == "abc");
  CHECK(doc.sections[0].entries[1].value == "abc");
  CHECK(doc.sections[0].entries[2].value == "abc");
  CHECK(doc.sections[0].entries[3].value == "x");
}

TEST_CASE("values: double quotes and escapes", "[dialect]") {
  CHECK(value_of("k=\"IngestSecrets\"") == "IngestSecrets");
  CHECK(value_of("k = \"  spaced  \"  ") == "  spaced  ");
  CHECK(value_of("k=\"a\\\\b\"") == "a\\b");
  CHECK(value_of("k=\"say \\\"hi\\\"\"") == "say \"hi\"");
  CHECK(value_of("k=\"l1\\nl2\\tend\"") == "l1\nl2\tend");
  CHECK(value_of("k=a\"b c\"d") == "ab cd");
  CHECK(value_of("k=a \"b\" c") == "a b c");
  CHECK(value_of("k=\"\"") == "");
  CHECK(value_of("k=\"s;e#c\\\"ret\"") == "s;e#c\"ret");
  CHECK(value_of("k='single quotes' stay") == "'single quotes' stay");
  CHECK(value_of("k=  untrimmed inside  \t") == "untrimmed inside");
  CHECK(value_of("k=x\\\"y") == "x\"y"); // gcfg: \" outside quotes
  CHECK(value_of("k=a`b") == "a`b");     // a backtick not at the start is ordinary
}

TEST_CASE("values: quote errors", "[dialect]") {
  SECTION("missing closing quote") {
    auto d = errors_of("[S]\nk=\"abc\nnext=1\n");
    REQUIRE(d.size() == 1);
    CHECK(d[0].loc.line == 2);
    CHECK_THAT(d[0].message, Catch::Contains("missing closing '\"'"));
  }
  SECTION("missing closing quote at end of file") {
    auto d = errors_of("[S]\nk=\"abc");
    CHECK_THAT(d[0].message, Catch::Contains("missing closing"));
  }
  SECTION("unknown escape, named, value not echoed") {
    auto d = errors_of("[S]\nk=\"topsecret\\q\"\n");
    REQUIRE(d.size() == 1);
    CHECK_THAT(d[0].message, Catch::Contains("\"\\q\""));
    CHECK_THAT(d[0].message, Catch::Contains("\\\\ \\\" \\n \\t"));
    CHECK(d[0].format().find("topsecret") == std::string::npos);
  }
  SECTION("backslash outside quotes") {
    auto d = errors_of("[S]\nk=C:\\dir\n");
    CHECK_THAT(d[0].message, Catch::Contains("outside double quotes"));
  }
  SECTION("the bad entry is left out, the rest is kept") {
    RawDocument doc;
    errors_of("[S]\na=\"x\\z\"\nb=2\n", &doc);
    REQUIRE(doc.sections[0].entries.size() == 1);
    CHECK(doc.sections[0].entries[0].key == "b");
  }
}

TEST_CASE("values: backslash-newline continues an unquoted value", "[dialect]") {
  RawSection s = one_section("[S]\nk=abc\\\ndef\nnext=1\n");
  CHECK(entry(s, 0).value == "abcdef");
  CHECK(entry(s, 1).loc.line == 4);
}

TEST_CASE("values: backtick strings are raw and may span lines", "[dialect]") {
  RawSection s = one_section("[S]\n"
                             "\tRegex=`^\\d+ \"q\" #not a comment; \\n`  # a comment\n"
                             "\tTemplate = `line one\n"
                             "  line two\\t\n"
                             "[not a header]`\n"
                             "\tAfter=1\n");
  REQUIRE(s.entries.size() == 3);
  CHECK(entry(s, 0).value == "^\\d+ \"q\" #not a comment; \\n");
  CHECK(entry(s, 1).value == "line one\n  line two\\t\n[not a header]");
  CHECK(entry(s, 1).loc.line == 3);
  CHECK(entry(s, 2).key == "After");
  CHECK(entry(s, 2).loc.line == 6);
}

TEST_CASE("values: backtick errors", "[dialect]") {
  SECTION("not closed") {
    auto d = errors_of("[S]\nk=`abc\nx=1\n");
    REQUIRE(d.size() == 1);
    CHECK(d[0].loc.line == 2);
    CHECK_THAT(d[0].message, Catch::Contains("backtick"));
  }
  SECTION("text after the closing backtick") {
    auto d = errors_of("[S]\nk=`abc` def\n");
    CHECK_THAT(d[0].message, Catch::Contains("after the closing backtick"));
  }
}

TEST_CASE("values: no line length limit", "[dialect]") {
  std::string big;
  for (int i = 0; i < 10240; ++i) big += static_cast<char>('a' + i % 26);
  big[5000] = ';'; // inside quotes: kept
  big[7000] = ' ';
  std::string long_key(300, 'K');
  std::string long_section = "Section" + std::string(250, 'x');
  std::string long_instance(500, 'i');
  RawSection s = one_section("[" + long_section + " \"" + long_instance + "\"]\n\t" + long_key + " = \"" + big +
                             "\"\n\tafter = 1\n");
  CHECK(s.name == long_section);
  CHECK(s.instance == long_instance);
  REQUIRE(s.entries.size() == 2);
  CHECK(entry(s, 0).key == long_key);
  CHECK(entry(s, 0).value == big);
  CHECK(entry(s, 1).key == "after");
  CHECK(entry(s, 1).loc.line == 3);

  std::string unquoted(20000, 'z');
  CHECK(value_of("k=" + unquoted) == unquoted);
}

TEST_CASE("encoding: BOM, CRLF, UTF-8", "[dialect]") {
  RawSection s = one_section("\xEF\xBB\xBF[Global]\r\n\tLabel = caf\xC3\xA9 \r\n");
  REQUIRE(s.entries.size() == 1);
  CHECK(s.name == "Global");
  CHECK(entry(s, 0).value == "caf\xC3\xA9");
  // A quote cannot run over a CRLF either.
  std::vector<Diag> diags;
  parse("[S]\r\nk=\"a\r\nb\"\r\n", diags);
  CHECK(has_errors(diags));
  // CRLF inside a backtick string becomes LF.
  RawSection t = one_section("[S]\r\nk=`a\r\nb`\r\n");
  CHECK(entry(t, 0).value == "a\nb");
}

TEST_CASE("encoding: NUL and invalid UTF-8 are errors", "[dialect]") {
  auto d = errors_of(std::string("[S]\nk=a\0b\n", 10));
  CHECK_THAT(d[0].message, Catch::Contains("NUL"));
  CHECK(d[0].loc.line == 2);
  auto e = errors_of("[S]\n\nk=\xC3\x28\n");
  CHECK_THAT(e[0].message, Catch::Contains("UTF-8"));
  CHECK(e[0].loc.line == 3);
}

TEST_CASE("parse_text appends to an existing document", "[dialect]") {
  std::vector<Diag> diags;
  RawDocument doc;
  REQUIRE(parse_text("[Global]\nLog-Level=INFO\n", "a.conf", doc, diags));
  REQUIRE(parse_text("[global]\nLog-Level=DEBUG\n[State]\n", "b.conf", doc, diags));
  REQUIRE(doc.sections.size() == 2);
  REQUIRE(doc.sections[0].entries.size() == 2);
  CHECK(doc.sections[0].entries[1].loc.file == "b.conf");
  CHECK(doc.sections[0].loc.file == "a.conf");
  CHECK(diags.empty());
}
