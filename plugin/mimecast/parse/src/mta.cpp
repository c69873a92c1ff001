#include "hr_mimecast/parse/mta.hpp"

#include "hr_mimecast/parse/time.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <stdexcept>

namespace hr::mimecast {

namespace {

// Collects the few top-level members we need while RapidJSON validates the
// whole line; nested values are walked but ignored.
struct LineHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LineHandler> {
    enum class Want { none, timestamp, type, sender_ip, source_ip };

    int depth = 0;
    bool root_is_object = false;
    bool first = true;
    Want want = Want::none;
    std::optional<std::int64_t> timestamp_ms;
    std::string type, sender_ip, source_ip;

    bool begin_value() {
        if (first) {
            first = false;
            return false;  // a scalar or array at the root: not an event object
        }
        return true;
    }
    bool Default() {  // any scalar
        if (!begin_value()) return false;
        if (depth == 1) want = Want::none;
        return true;
    }
    bool Int64(std::int64_t v) {
        if (!begin_value()) return false;
        if (depth == 1 && want == Want::timestamp) timestamp_ms = v;
        if (depth == 1) want = Want::none;
        return true;
    }
    bool Int(int v) { return Int64(v); }
    bool Uint(unsigned v) { return Int64(v); }
    bool Uint64(std::uint64_t v) {
        if (v > static_cast<std::uint64_t>(INT64_MAX)) return Default();
        return Int64(static_cast<std::int64_t>(v));
    }
    bool Double(double v) {
        // 1.7e12 style or 1731621865697.0: integral values only.
        if (depth == 1 && want == Want::timestamp && v == static_cast<double>(static_cast<std::int64_t>(v)) &&
            v > -9e15 && v < 9e15)
            return Int64(static_cast<std::int64_t>(v));
        return Default();
    }
    bool String(const char* s, rapidjson::SizeType len, bool) {
        if (!begin_value()) return false;
        if (depth == 1) {
            std::string_view v(s, len);
            switch (want) {
            case Want::timestamp: {
                // Tolerate a quoted number (values are mostly strings in these files).
                std::int64_t ms = 0;
                bool ok = !v.empty() && v.size() <= 18;
                for (char c : v) {
                    if (c < '0' || c > '9') ok = false;
                    else ms = ms * 10 + (c - '0');
                }
                if (ok) timestamp_ms = ms;
                break;
            }
            case Want::type: type.assign(v); break;
            case Want::sender_ip: sender_ip.assign(v); break;
            case Want::source_ip: source_ip.assign(v); break;
            case Want::none: break;
            }
            want = Want::none;
        }
        return true;
    }
    bool Key(const char* s, rapidjson::SizeType len, bool) {
        if (depth != 1) return true;
        const std::string_view k(s, len);
        want = k == "timestamp" ? Want::timestamp
             : k == "type"      ? Want::type
             : k == "senderIp"  ? Want::sender_ip
             : k == "sourceIp"  ? Want::source_ip
                                : Want::none;
        return true;
    }
    bool StartObject() {
        if (first) {
            first = false;
            root_is_object = true;
        }
        if (depth == 1) want = Want::none;
        ++depth;
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        --depth;
        return true;
    }
    bool StartArray() {
        if (!begin_value()) return false;
        if (depth == 1) want = Want::none;
        ++depth;
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        --depth;
        return true;
    }
};

}  // namespace

MtaLine parse_mta_line(std::string_view line) {
    MtaLine out;
    LineHandler h;
    rapidjson::MemoryStream ms(line.data(), line.size());
    rapidjson::Reader reader;
    const auto res = reader.Parse<rapidjson::kParseDefaultFlags>(ms, h);
    if (res.IsError()) {
        if (!h.first && !h.root_is_object) {
            out.error = "not a JSON object";
        } else {
            out.error = std::string("not JSON: ") + rapidjson::GetParseError_En(res.Code()) + " at byte " +
                        std::to_string(res.Offset());
        }
        return out;
    }
    if (ms.Tell() != line.size()) {
        // MemoryStream reports end at a NUL byte; bytes after it are not JSON.
        out.error = "not JSON: NUL byte at " + std::to_string(ms.Tell());
        return out;
    }
    out.json_ok = true;
    if (h.timestamp_ms) out.timestamp_ns = ms_to_ns(*h.timestamp_ms);
    out.type = std::move(h.type);
    if (auto ip = canonical_ip(h.sender_ip)) {
        out.source_ip = std::move(*ip);
    } else if (auto ip2 = canonical_ip(h.source_ip)) {
        out.source_ip = std::move(*ip2);
    }
    return out;
}

std::optional<std::string> canonical_ip(std::string_view text) {
    // inet_pton stops at a NUL; text with one inside is not an address.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos)
        return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());  // inet_pton wants a C string
    char out[INET6_ADDRSTRLEN] = {};
    unsigned char addr[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, buf, addr) == 1) {
        if (inet_ntop(AF_INET, addr, out, sizeof out) == nullptr) return std::nullopt;
        return std::string(out);
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        if (inet_ntop(AF_INET6, addr, out, sizeof out) == nullptr) return std::nullopt;
        return std::string(out);
    }
    return std::nullopt;
}

Fingerprint fingerprint(std::string_view raw) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(raw.data(), raw.size(), md, &md_len, EVP_sha256(), nullptr) != 1 || md_len < 16)
        throw std::runtime_error("SHA-256 failed");
    Fingerprint f;
    std::memcpy(f.bytes.data(), md, f.bytes.size());
    return f;
}

std::string Fingerprint::hex() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(32);
    for (auto b : bytes) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 15]);
    }
    return s;
}

std::uint64_t Fingerprint::hi() const noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | bytes[static_cast<std::size_t>(i)];
    return v;
}

std::uint64_t Fingerprint::lo() const noexcept {
    std::uint64_t v = 0;
    for (int i = 8; i < 16; ++i) v = (v << 8) | bytes[static_cast<std::size_t>(i)];
    return v;
}

}  // namespace hr::mimecast
