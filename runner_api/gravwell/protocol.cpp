#include "protocol.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace hr::gw {
namespace {

// One EVP digest; these never fail for the built-in algorithms.
template <size_t N> std::array<unsigned char, N> digest(const EVP_MD *md, const unsigned char *p, size_t n) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    EVP_Digest(p, n, out.data(), &len, md, nullptr);
    std::array<unsigned char, N> r{};
    std::memcpy(r.data(), out.data(), N);
    return r;
}

// h = SHA256(MD5(h)), starting from any byte string.
std::array<unsigned char, 32> chain(const unsigned char *p, size_t n, unsigned rounds) {
    std::array<unsigned char, 32> h{};
    std::string cur(reinterpret_cast<const char *>(p), n);
    for (unsigned i = 0; i < rounds; ++i) {
        auto m = digest<16>(EVP_md5(), reinterpret_cast<const unsigned char *>(cur.data()), cur.size());
        h = digest<32>(EVP_sha256(), m.data(), m.size());
        cur.assign(reinterpret_cast<const char *>(h.data()), h.size());
    }
    return h;
}

std::string json_of(const rapidjson::Document &d) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

} // namespace

void put_u16(std::string &out, uint16_t v) {
    for (int i = 0; i < 2; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u32(std::string &out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64(std::string &out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint16_t get_u16(const unsigned char *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t get_u32(const unsigned char *p) {
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
uint64_t get_u64(const unsigned char *p) { return uint64_t(get_u32(p)) | (uint64_t(get_u32(p + 4)) << 32); }

AuthHash auth_hash(std::string_view secret) {
    auto h512 = digest<64>(EVP_sha512(), reinterpret_cast<const unsigned char *>(secret.data()), secret.size());
    auto h = chain(h512.data(), h512.size(), 16);
    AuthHash a{};
    std::memcpy(a.data(), h.data(), a.size());
    return a;
}

std::optional<Challenge> parse_challenge(std::string_view bytes) {
    if (bytes.size() != kChallengeSize) return std::nullopt;
    auto p = reinterpret_cast<const unsigned char *>(bytes.data());
    Challenge c;
    c.iterate = get_u16(p);
    std::memcpy(c.rand.data(), p + 2, 32);
    c.version = get_u16(p + 34);
    return c;
}

std::string encode_challenge(const Challenge &c) {
    std::string out;
    put_u16(out, c.iterate);
    out.append(reinterpret_cast<const char *>(c.rand.data()), c.rand.size());
    put_u16(out, c.version);
    return out;
}

Response challenge_response(const AuthHash &auth, const Challenge &c) {
    std::array<unsigned char, 48> in{};
    std::memcpy(in.data(), c.rand.data(), 32);
    std::memcpy(in.data() + 32, auth.data(), 16);
    auto h512 = digest<64>(EVP_sha512(), in.data(), in.size());
    if (c.iterate == 0) { // degenerate: nothing chained, keep the first 32 bytes
        Response r{};
        std::memcpy(r.data(), h512.data(), 32);
        return r;
    }
    return chain(h512.data(), h512.size(), c.iterate);
}

std::string encode_state_response(uint32_t id, std::string_view info) {
    rapidjson::Document d(rapidjson::kObjectType);
    auto &a = d.GetAllocator();
    d.AddMember("ID", id, a);
    d.AddMember("Info", rapidjson::Value(info.data(), static_cast<rapidjson::SizeType>(info.size()), a), a);
    std::string json = json_of(d);
    std::string out;
    put_u16(out, static_cast<uint16_t>(json.size()));
    return out + json;
}

bool parse_state_json(std::string_view json, uint32_t &id, std::string &info) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) return false;
    auto it = d.FindMember("ID");
    if (it == d.MemberEnd() || !it->value.IsUint()) return false;
    id = it->value.GetUint();
    info.clear();
    auto inf = d.FindMember("Info");
    if (inf != d.MemberEnd() && inf->value.IsString()) info = inf->value.GetString();
    return true;
}

std::string encode_tag_request(const std::vector<std::string> &tags) {
    rapidjson::Document d(rapidjson::kObjectType);
    auto &a = d.GetAllocator();
    d.AddMember("Count", static_cast<uint64_t>(tags.size()), a);
    rapidjson::Value arr(rapidjson::kArrayType);
    for (auto &t : tags) arr.PushBack(rapidjson::Value(t.data(), static_cast<rapidjson::SizeType>(t.size()), a), a);
    d.AddMember("Tags", arr, a);
    std::string json = json_of(d);
    std::string out;
    put_u32(out, static_cast<uint32_t>(json.size()));
    return out + json;
}

bool parse_tag_request_json(std::string_view json, std::vector<std::string> &tags) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) return false;
    tags.clear();
    auto it = d.FindMember("Tags");
    if (it == d.MemberEnd() || it->value.IsNull()) return true; // "Tags": null is allowed
    if (!it->value.IsArray()) return false;
    for (auto &v : it->value.GetArray()) {
        if (!v.IsString()) return false;
        tags.emplace_back(v.GetString(), v.GetStringLength());
    }
    return true;
}

std::string encode_tag_response(const std::map<std::string, uint16_t> &tags) {
    rapidjson::Document d(rapidjson::kObjectType);
    auto &a = d.GetAllocator();
    d.AddMember("Count", static_cast<uint64_t>(tags.size()), a);
    rapidjson::Value obj(rapidjson::kObjectType);
    for (auto &[k, v] : tags)
        obj.AddMember(rapidjson::Value(k.data(), static_cast<rapidjson::SizeType>(k.size()), a), rapidjson::Value(unsigned(v)), a);
    d.AddMember("Tags", obj, a);
    std::string json = json_of(d);
    std::string out;
    put_u32(out, static_cast<uint32_t>(json.size()));
    return out + json;
}

bool parse_tag_response_json(std::string_view json, uint32_t &count, std::map<std::string, uint16_t> &tags) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) return false;
    auto c = d.FindMember("Count");
    if (c == d.MemberEnd() || !c->value.IsUint()) return false;
    count = c->value.GetUint();
    tags.clear();
    auto it = d.FindMember("Tags");
    if (it == d.MemberEnd() || it->value.IsNull()) return true;
    if (!it->value.IsObject()) return false;
    for (auto &m : it->value.GetObject()) {
        if (!m.value.IsUint() || m.value.GetUint() > 0xFFFF) return false;
        tags[std::string(m.name.GetString(), m.name.GetStringLength())] = static_cast<uint16_t>(m.value.GetUint());
    }
    return true;
}

std::string encode_id(std::string_view name, std::string_view version, std::string_view uuid) {
    std::string out;
    put_u32(out, kId);
    for (auto s : {name, version, uuid}) {
        put_u32(out, static_cast<uint32_t>(s.size()));
        out.append(s);
    }
    return out;
}

std::string encode_api_ver(uint16_t v) {
    std::string out;
    put_u32(out, kApiVer);
    put_u16(out, v);
    return out;
}

std::string encode_tag(std::string_view name) {
    std::string out;
    put_u32(out, kTag);
    put_u32(out, static_cast<uint32_t>(name.size()));
    out.append(name);
    return out;
}

std::string encode_word(uint32_t cmd) {
    std::string out;
    put_u32(out, cmd);
    return out;
}

std::string encode_word_u64(uint32_t cmd, uint64_t v) {
    std::string out;
    put_u32(out, cmd);
    put_u64(out, v);
    return out;
}

std::optional<Src> parse_src(std::string_view text) {
    if (text.empty() || text.size() > 64) return std::nullopt;
    std::string t(text);
    Src s;
    if (inet_pton(AF_INET, t.c_str(), s.bytes.data()) == 1) {
        s.ipv4 = true;
        return s;
    }
    if (inet_pton(AF_INET6, t.c_str(), s.bytes.data()) == 1) return s;
    return std::nullopt;
}

std::string format_src(const Src &s) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (s.ipv4) {
        inet_ntop(AF_INET, s.bytes.data(), buf, sizeof buf);
        return buf;
    }
    bool zero = true;
    for (auto b : s.bytes) zero = zero && b == 0;
    if (zero) return "";
    inet_ntop(AF_INET6, s.bytes.data(), buf, sizeof buf);
    return buf;
}

std::string encode_entry(uint64_t id, int64_t unix_sec, uint32_t nsec, uint16_t tag_id, const Src &src,
                         std::string_view data) {
    std::string out;
    out.reserve(4 + kEntryHeaderSize + 8 + data.size());
    put_u32(out, kNewEntry);
    uint32_t len = static_cast<uint32_t>(data.size()) & kMaxDataSize;
    if (src.ipv4) len |= kFlagIpv4;
    put_u32(out, len);
    put_u64(out, static_cast<uint64_t>(unix_sec + kGravwellEpochOffset));
    put_u32(out, nsec);
    put_u16(out, tag_id);
    out.append(reinterpret_cast<const char *>(src.bytes.data()), 16);
    put_u64(out, id);
    out.append(data);
    return out;
}

std::optional<bool> server_word_has_value(uint32_t cmd) {
    switch (cmd) {
    case kConfirmEntry: case kThrottle: case kConfirmTag: case kConfirmIngestOk: case kConfirmDittoBlock:
        return true;
    case kPong: case kErrorTag: case kConfirmIngesterState: case kConfirmApiVer: case kConfirmId:
        return false;
    default:
        return std::nullopt;
    }
}

void ServerDecoder::feed(const void *data, size_t n) {
    // Compact once the consumed prefix dominates, so the buffer stays small.
    if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    buf_.append(static_cast<const char *>(data), n);
}

std::optional<ServerMsg> ServerDecoder::next() {
    if (failed() || buf_.size() - pos_ < 4) return std::nullopt;
    auto p = reinterpret_cast<const unsigned char *>(buf_.data()) + pos_;
    ServerMsg m;
    m.cmd = get_u32(p);
    auto has = server_word_has_value(m.cmd);
    if (!has) {
        char b[64];
        std::snprintf(b, sizeof b, "unknown command 0x%08X from indexer", m.cmd);
        error_ = b;
        return std::nullopt;
    }
    size_t need = *has ? 12 : 4;
    if (buf_.size() - pos_ < need) return std::nullopt;
    if (*has) m.value = get_u64(p + 4);
    pos_ += need;
    return m;
}

} // namespace hr::gw
