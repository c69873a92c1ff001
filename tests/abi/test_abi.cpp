#include "plugin_loader.hpp"

#include <catch2/catch.hpp>

static std::string plugin(const char *name) { return std::string(HR_ABI_PLUGIN_DIR) + "/" + name + ".so"; }

static std::string load_error(const char *name) {
    std::string err;
    auto p = hr::load_plugin(plugin(name), err);
    CHECK_FALSE(p);
    CHECK(err.find(plugin(name)) != std::string::npos); // every error names the file
    return err;
}

TEST_CASE("a library without the entry symbol is refused") {
    CHECK(load_error("no_symbol").find("does not export hr_plugin_entry") != std::string::npos);
}

TEST_CASE("a plugin built for another major ABI is refused, naming both versions") {
    auto err = load_error("wrong_major");
    CHECK(err.find("built for ABI " + std::to_string(HR_ABI_MAJOR + 1) + ".") != std::string::npos);
    CHECK(err.find("this runner speaks ABI " + std::to_string(HR_ABI_MAJOR) + "." + std::to_string(HR_ABI_MINOR)) !=
          std::string::npos);
}

TEST_CASE("a plugin table smaller than ABI 1.0 is refused") {
    CHECK(load_error("small_table").find("smaller than ABI") != std::string::npos);
}

TEST_CASE("a plugin with an empty required hook is refused") {
    CHECK(load_error("null_hook").find("required hook") != std::string::npos);
}

TEST_CASE("a plugin may decline the host") { CHECK(load_error("declines").find("declined") != std::string::npos); }

TEST_CASE("a plugin with a nameless key is refused") {
    CHECK(load_error("bad_schema").find("bad key schema") != std::string::npos);
}

TEST_CASE("a plugin with unresolved symbols fails at load, not later") {
    CHECK(load_error("unresolved").find("hr_symbol_nobody_defines") != std::string::npos);
}

TEST_CASE("a plain C plugin loads and publishes its schema") {
    std::string err;
    auto p = hr::load_plugin(plugin("good"), err);
    REQUIRE(p);
    CHECK(p->kind == "CTest");
    REQUIRE(p->schema.size() == 1);
    CHECK(p->schema[0].name == "Greeting");
    CHECK(p->schema[0].required);
}

TEST_CASE("loading a directory lists every bad plugin and keeps the good ones") {
    std::vector<std::string> errors;
    auto plugins = hr::load_plugin_dir(HR_ABI_PLUGIN_DIR, errors);
    REQUIRE(plugins.size() == 2);
    CHECK(plugins[0]->kind == "Flaky");
    CHECK(plugins[1]->kind == "CTest");
    CHECK(errors.size() == 7);
    std::vector<std::string> none;
    hr::load_plugin_dir(std::string(HR_ABI_PLUGIN_DIR) + "/missing", none);
    REQUIRE(none.size() == 1);
    CHECK(none[0].find("cannot be read") != std::string::npos);
}
