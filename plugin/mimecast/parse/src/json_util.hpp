// Internal: RapidJSON helpers shared by the parsers.
#pragma once

#include "hr_mimecast/parse/envelope.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

namespace hr::mimecast::detail {

// Parses a length-delimited body (not NUL-terminated). False if not JSON.
bool parse_json(rapidjson::Document& doc, std::string_view body);

// classify_response() for an already parsed document (avoids parsing twice).
Envelope classify_document(long http_status, const rapidjson::Document& doc);

// The error envelope for a body that is empty or not JSON.
Envelope classify_unparsed(long http_status, std::string_view body);

// Member as string_view / int64, if present with that type.
std::optional<std::string_view> get_string(const rapidjson::Value& obj, const char* name);
std::optional<std::int64_t> get_int(const rapidjson::Value& obj, const char* name);

Envelope bad_shape(long http_status, std::string message);

}  // namespace hr::mimecast::detail
