// One MTA SIEM event line (a batch file line or a stream page element).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hr::mimecast {

struct MtaLine {
    // The line is exactly one JSON object (whitespace around allowed). When
    // false the caller dead-letters the raw line; `error` says why.
    bool json_ok = false;
    std::string error;
    // Top-level `timestamp` (epoch ms, integer; a digit string is tolerated)
    // in ns; nullopt if absent or not a usable number.
    std::optional<std::int64_t> timestamp_ns;
    // Top-level `type` ("receipt", "url protect", ...), "" if absent.
    std::string type;
    // Sender IP in canonical text form when `senderIp` (or, for url protect
    // events, `sourceIp`) is a valid IPv4/IPv6 address; "" otherwise.
    std::string source_ip;
};

// One streaming pass (RapidJSON SAX, no DOM), so a 2 MiB line costs no
// more than its own bytes.
MtaLine parse_mta_line(std::string_view line);

// First 16 bytes of SHA-256 over the raw bytes: the dedup key for events
// that have no id. Same bytes, same fingerprint.
struct Fingerprint {
    std::array<std::uint8_t, 16> bytes{};
    std::string hex() const;  // 32 lower-case hex digits
    std::uint64_t hi() const noexcept;  // big-endian halves, for a 128-bit key
    std::uint64_t lo() const noexcept;
    friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};
Fingerprint fingerprint(std::string_view raw);

// The address in canonical form if `text` is a valid IPv4 or IPv6 address.
std::optional<std::string> canonical_ip(std::string_view text);

}  // namespace hr::mimecast
