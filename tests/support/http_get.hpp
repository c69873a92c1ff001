#pragma once
#include <string>

namespace hr::test {
// Plain GET for tests (loopback only); returns the body, sets status.
std::string http_get(const std::string &url, long *status = nullptr);
} // namespace hr::test
