// JSON/XML reply builders shared by the endpoint code. Shapes follow the Mimecast API notes:
// `fail[]` envelope for /oauth and /api, `error{}` for /siem, S3 XML for file URLs.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "http_types.hpp"

namespace mcsim {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void jstr(JsonWriter& w, std::string_view s) {
  w.String(s.data(), rapidjson::SizeType(s.size()));
}
inline void jkey(JsonWriter& w, std::string_view s) { w.Key(s.data(), rapidjson::SizeType(s.size())); }

inline std::string fail_body(std::string_view code, std::string_view message) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("fail");
  w.StartArray();
  w.StartObject();
  w.Key("code");
  jstr(w, code);
  w.Key("message");
  jstr(w, message);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

inline std::string error_body(std::string_view code, std::string_view message) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  jstr(w, code);
  w.Key("message");
  jstr(w, message);
  w.EndObject();
  w.EndObject();
  return sb.GetString();
}

inline Reply json_reply(unsigned status, std::string body) {
  Reply r;
  r.status = status;
  r.header("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

inline Reply s3_error(unsigned status, std::string_view code, std::string_view message) {
  Reply r;
  r.status = status;
  r.header("Content-Type", "application/xml");
  r.body = R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>)" + std::string(code) +
           "</Code><Message>" + std::string(message) + "</Message></Error>";
  return r;
}

}  // namespace mcsim
