// Fixture files and gzip builders for the Mimecast parse tests.
#pragma once

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace hr::test {

inline std::string fixture(const std::string& name) {
    std::ifstream in(std::string(MC_TEST_DATA_DIR) + "/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture " + name);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// One complete gzip member (header, deflate data, CRC32 + size trailer).
inline std::string gzip(const std::string& plain, int level = Z_DEFAULT_COMPRESSION) {
    z_stream s;
    std::memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::string out;
    out.resize(deflateBound(&s, static_cast<uLong>(plain.size())) + 64);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    s.avail_in = static_cast<uInt>(plain.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&s, Z_FINISH);
    deflateEnd(&s);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
    out.resize(s.total_out);
    return out;
}

}  // namespace hr::test
