// Request bodies and query strings for the Mimecast API (pure strings).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hr::mimecast {

// RFC 3986: unreserved bytes (A-Z a-z 0-9 - . _ ~) as is, everything else
// %XX (upper-case hex; a space is %20, never '+').
std::string percent_encode(std::string_view text);

// POST /api/audit/get-audit-events body:
// {"meta":{"pagination":{"pageSize":N[,"pageToken":"..."]}},
//  "data":[{"startDateTime":"...+0000","endDateTime":"...+0000"}]}
// pageToken is omitted when empty. Keep start/end fixed for a whole
// pagination run (changing them under a token is a peer bug).
std::string build_audit_request(std::int64_t start_ns, std::int64_t end_ns, int page_size,
                                std::string_view page_token = {});

// Query string (no leading '?') for GET /siem/v1/batch/events/cg:
// type=..&dateRangeStartsAt=YYYY-MM-DD[&dateRangeEndsAt=YYYY-MM-DD]&pageSize=N[&nextPage=..]
// Days are the UTC days containing the given times.
std::string build_batch_query(std::string_view type, std::int64_t start_ns, std::optional<std::int64_t> end_ns,
                              int page_size, std::string_view next_page = {});

// Query string for GET /siem/v1/events/cg:
// [types=..&][dateRangeStartsAt=...000Z&][dateRangeEndsAt=...000Z&]pageSize=N[&nextPage=..]
std::string build_stream_query(std::string_view types, std::optional<std::int64_t> start_ns,
                               std::optional<std::int64_t> end_ns, int page_size, std::string_view next_page = {});

// application/x-www-form-urlencoded body for POST /oauth/token.
std::string build_token_form(std::string_view client_id, std::string_view client_secret);

}  // namespace hr::mimecast
