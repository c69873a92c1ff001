#pragma once
// Gravwell native ingest protocol (version 0x9): pure encoders/decoders, no I/O.
// Reference: the ingest library of github.com/gravwell/gravwell (ingest/). All integers little-endian.
#include "tag_rules.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hr::gw {

// Command words.
inline constexpr uint32_t kNewEntry = 0xC7C95ACB;
inline constexpr uint32_t kForceAck = 0x1ADF7350;
inline constexpr uint32_t kConfirmEntry = 0xF6E0307E;
inline constexpr uint32_t kThrottle = 0xBDEACC1E;
inline constexpr uint32_t kPing = 0x88770001;
inline constexpr uint32_t kPong = 0x88770008;
inline constexpr uint32_t kTag = 0x18675300;
inline constexpr uint32_t kConfirmTag = 0x18675301;
inline constexpr uint32_t kErrorTag = 0x18675302;
inline constexpr uint32_t kIngesterState = 0x44556600;
inline constexpr uint32_t kConfirmIngesterState = 0x44556601;
inline constexpr uint32_t kApiVer = 0x22334400;
inline constexpr uint32_t kConfirmApiVer = 0x22334401;
inline constexpr uint32_t kId = 0x22793400;
inline constexpr uint32_t kConfirmId = 0x22793401;
inline constexpr uint32_t kIngestOk = 0x33445500;
inline constexpr uint32_t kConfirmIngestOk = 0x33445501;
inline constexpr uint32_t kDittoBlock = 0xDDCCBBAA;
inline constexpr uint32_t kConfirmDittoBlock = 0x55667788;

// StateResponse IDs.
inline constexpr uint32_t kStateAuthenticated = 0xBEEF42;
inline constexpr uint32_t kStateBadSecret = 0xFEED51;
inline constexpr uint32_t kStateHot = 0xCAFE54;

inline constexpr uint16_t kVersion = 0x9;
inline constexpr size_t kChallengeSize = 36;
inline constexpr size_t kEntryHeaderSize = 34;
inline constexpr uint32_t kMaxDataSize = 0x3FFFFFFF;
inline constexpr uint32_t kFlagEv = 1u << 30;
inline constexpr uint32_t kFlagIpv4 = 1u << 31;
inline constexpr int64_t kGravwellEpochOffset = 62135596800; // 0001-01-01 -> 1970-01-01
inline constexpr size_t kMaxStateResponse = 4096;
inline constexpr size_t kMaxTagRequest = 32u << 20;
inline constexpr size_t kMaxTagName = 4096;

// Little-endian helpers.
void put_u16(std::string &out, uint16_t v);
void put_u32(std::string &out, uint32_t v);
void put_u64(std::string &out, uint64_t v);
uint16_t get_u16(const unsigned char *p);
uint32_t get_u32(const unsigned char *p);
uint64_t get_u64(const unsigned char *p);

using AuthHash = std::array<unsigned char, 16>;
using Response = std::array<unsigned char, 32>;

// SHA512(secret), then 16x SHA256(MD5(h)); first 16 bytes.
AuthHash auth_hash(std::string_view secret);

struct Challenge {
    uint16_t iterate = 0;
    std::array<unsigned char, 32> rand{};
    uint16_t version = 0;
};
std::optional<Challenge> parse_challenge(std::string_view bytes); // exactly 36 bytes
std::string encode_challenge(const Challenge &c);
// SHA512(rand || auth), then iterate x SHA256(MD5(h)).
Response challenge_response(const AuthHash &auth, const Challenge &c);

// StateResponse: u16 len + {"ID":n,"Info":"..."}.
std::string encode_state_response(uint32_t id, std::string_view info);
bool parse_state_json(std::string_view json, uint32_t &id, std::string &info);

// TagRequest: u32 len + {"Count":n,"Tags":[...]}.
std::string encode_tag_request(const std::vector<std::string> &tags);
bool parse_tag_request_json(std::string_view json, std::vector<std::string> &tags);
// TagResponse: u32 len + {"Count":n,"Tags":{"a":1}}.
std::string encode_tag_response(const std::map<std::string, uint16_t> &tags);
bool parse_tag_response_json(std::string_view json, uint32_t &count, std::map<std::string, uint16_t> &tags);

// "ID" message: name, version, UUID each as u32 len + bytes.
std::string encode_id(std::string_view name, std::string_view version, std::string_view uuid);
std::string encode_api_ver(uint16_t v);
std::string encode_tag(std::string_view name); // mid-stream TAG
std::string encode_word(uint32_t cmd);
std::string encode_word_u64(uint32_t cmd, uint64_t v);

// Source address as sent: 16 bytes plus the IPv4 flag.
struct Src {
    std::array<unsigned char, 16> bytes{};
    bool ipv4 = false;
};
// Parses an IPv4/IPv6 literal; nullopt for anything else (empty included).
std::optional<Src> parse_src(std::string_view text);
// Inverse used by the fake indexer: dotted/IPv6 text; all-zero non-IPv4 is "".
std::string format_src(const Src &s);

// NEW_ENTRY + header + u64 id + data (no EV block). unix_sec is Unix time.
std::string encode_entry(uint64_t id, int64_t unix_sec, uint32_t nsec, uint16_t tag_id, const Src &src,
                         std::string_view data);

// Tag rules live in tag_rules.hpp (shared with -validate and plugins).
using hr::tags::normalize_tag;
using hr::tags::valid_tag;

// One decoded server->client message after setup.
struct ServerMsg {
    uint32_t cmd = 0;
    uint64_t value = 0; // for the u64-carrying words
};

// Streaming decoder: feed whatever bytes arrived, pull complete messages.
class ServerDecoder {
public:
    void feed(const void *data, size_t n);
    // A message if one is complete; nullopt when more bytes are needed or on
    // error (then failed() is true and error() says why).
    std::optional<ServerMsg> next();
    bool failed() const { return !error_.empty(); }
    const std::string &error() const { return error_; }
    size_t buffered() const { return buf_.size() - pos_; }

private:
    std::string buf_;
    size_t pos_ = 0;
    std::string error_;
};

// Whether a server word carries a u64 (nullopt: unknown word).
std::optional<bool> server_word_has_value(uint32_t cmd);

} // namespace hr::gw
