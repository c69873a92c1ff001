// Parsers for the response bodies the poller pages through.
//
// Record views (`raw`, `events`) point INTO the body passed in: keep the
// body alive while using them. Every result carries an Envelope; use the
// data only when ok().
#pragma once

#include "hr_mimecast/parse/envelope.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hr::mimecast {

// ---------------------------------------------- POST /api/audit/get-audit-events

struct AuditRecord {
    std::string_view raw;                     // exact bytes of data[i]
    std::string id;                           // "" if absent (then fingerprint raw)
    std::optional<std::int64_t> event_time_ns;  // nullopt if absent or unparseable
};

struct AuditPage {
    std::vector<AuditRecord> records;  // in server order (newest first, unverified)
    std::string next_token;            // meta.pagination.next; "" = last page
    // Largest event time on the page; never assume the last record is newest.
    std::optional<std::int64_t> newest_event_ns;
    std::optional<std::int64_t> oldest_event_ns;
    bool last_page() const noexcept { return next_token.empty(); }
};

struct AuditPageResult {
    Envelope envelope;
    AuditPage page;
    bool ok() const noexcept { return envelope.ok(); }
};

AuditPageResult parse_audit_page(long http_status, std::string_view body);

// ---------------------------------------------- GET /siem/v1/batch/events/cg

struct BatchFile {
    std::string url;                     // pre-signed; fetch WITHOUT the bearer token
    std::optional<std::int64_t> expiry_ns;  // nullopt if absent or unparseable
    std::optional<std::int64_t> size;       // bytes as listed
};

struct BatchListing {
    std::vector<BatchFile> files;
    std::string next_page;  // @nextPage; keep it even when caught up
    bool caught_up = false; // isCaughtUp
};

struct BatchListingResult {
    Envelope envelope;
    BatchListing listing;
    bool ok() const noexcept { return envelope.ok(); }
};

BatchListingResult parse_batch_listing(long http_status, std::string_view body);

// ---------------------------------------------- GET /siem/v1/events/cg

struct StreamPage {
    std::vector<std::string_view> events;  // exact bytes of value[i]; see mta.hpp
    std::string next_page;
    bool caught_up = false;
};

struct StreamPageResult {
    Envelope envelope;
    StreamPage page;
    bool ok() const noexcept { return envelope.ok(); }
};

StreamPageResult parse_stream_page(long http_status, std::string_view body);

// ---------------------------------------------- POST /oauth/token

struct TokenGrant {
    std::string access_token;
    std::string token_type;                // as sent ("Bearer")
    std::optional<std::int64_t> expires_in_s;
};

struct TokenResult {
    Envelope envelope;
    TokenGrant grant;
    bool ok() const noexcept { return envelope.ok(); }
};

TokenResult parse_token_response(long http_status, std::string_view body);

}  // namespace hr::mimecast
