// Classifying a Mimecast response: success, or which of the error shapes
// (section 4 of the API notes) it is, plus hints for the retry logic.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hr::mimecast {

enum class ResponseKind {
    ok = 1,        // 2xx, JSON, no error member
    fail_list,     // non-empty "fail": [...] (also with HTTP 200: still an error)
    error_object,  // {"error": {"code", "message"}}
    detail,        // {"detail": "..."} (seen on 429)
    http_error,    // non-2xx JSON without a known error member
    empty_body,    // nothing (or only whitespace) where JSON was expected
    not_json,      // body is not JSON (proxy page, S3 XML, ...)
    bad_shape,     // JSON, but not the structure the endpoint returns
};

struct ApiError {
    std::string code;
    std::string message;
    bool retryable = false;  // fail[].errors[].retryable
};

struct Envelope {
    ResponseKind kind = ResponseKind::ok;
    long http_status = 0;
    std::vector<ApiError> errors;
    bool retryable = false;      // 408, 429, 5xx, or an error marked retryable
    bool rate_limited = false;   // 429: honour X-RateLimit-Reset
    bool refresh_token = false;  // 401 or a token-expired code: new token, retry once

    bool ok() const noexcept { return kind == ResponseKind::ok; }
    // One line for logs: "HTTP 400 fail: err_x: text; ...". Control bytes
    // are replaced and the line is capped, as bodies are remote input.
    std::string summary() const;
};

const char* to_string(ResponseKind kind) noexcept;

// Any endpoint, any body. A 2xx JSON body without fail/error/detail is ok.
Envelope classify_response(long http_status, std::string_view body);

}  // namespace hr::mimecast
