#include "dead_letter.hpp"

#include <hr_mimecast/parse/time.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace hr::mimecast {

bool DeadLetter::write(const std::string &where, const std::string &error, std::string_view raw) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string ts = format_stream_time(now);
    w.StartObject();
    w.Key("time");
    w.String(ts.c_str());
    w.Key("api");
    w.String(api_.c_str());
    w.Key("where");
    w.String(where.c_str());
    w.Key("error");
    w.String(error.c_str());
    w.Key("raw");
    // Invalid UTF-8 is kept byte for byte: the writer does not validate.
    w.String(raw.data(), static_cast<rapidjson::SizeType>(raw.size()));
    w.EndObject();
    std::string line(sb.GetString(), sb.GetSize());
    line.push_back('\n');
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        error_ = path_ + ": " + std::strerror(errno);
        return false;
    }
    size_t off = 0;
    while (off < line.size()) {
        ssize_t n = ::write(fd, line.data() + off, line.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            error_ = path_ + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        off += static_cast<size_t>(n);
    }
    bool ok = ::fdatasync(fd) == 0;
    if (!ok) error_ = path_ + ": " + std::strerror(errno);
    ::close(fd);
    return ok;
}

} // namespace hr::mimecast
