#pragma once
// Lines that cannot be ingested (not JSON) go to an append-only NDJSON file,
// made durable before the cursor moves past them.
#include <string>
#include <string_view>

namespace hr::mimecast {

class DeadLetter {
public:
    DeadLetter(std::string path, std::string api) : path_(std::move(path)), api_(std::move(api)) {}
    // One JSON line: time, api, where, error and the raw bytes as a string.
    bool write(const std::string &where, const std::string &error, std::string_view raw);
    const std::string &path() const { return path_; }
    const std::string &error() const { return error_; }

private:
    std::string path_, api_, error_;
};

} // namespace hr::mimecast
