#pragma once
// Small helpers to write and read the JSON cursors kept in the state store.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hr::mimecast {

class JsonOut {
public:
    JsonOut() : w_(sb_) { w_.StartObject(); }
    JsonOut &str(const char *k, const std::string &v) {
        w_.Key(k);
        w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
        return *this;
    }
    JsonOut &num(const char *k, int64_t v) {
        w_.Key(k);
        w_.Int64(v);
        return *this;
    }
    JsonOut &list(const char *k, const std::vector<std::string> &v) {
        w_.Key(k);
        w_.StartArray();
        for (const auto &s : v) w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        w_.EndArray();
        return *this;
    }
    std::string done() {
        w_.EndObject();
        return std::string(sb_.GetString(), sb_.GetSize());
    }

private:
    rapidjson::StringBuffer sb_;
    rapidjson::Writer<rapidjson::StringBuffer> w_;
};

class JsonIn {
public:
    explicit JsonIn(const std::string &text) { ok_ = !doc_.Parse(text.c_str()).HasParseError() && doc_.IsObject(); }
    bool ok() const { return ok_; }
    std::string str(const char *k, std::string def = {}) const {
        if (!ok_ || !doc_.HasMember(k) || !doc_[k].IsString()) return def;
        return std::string(doc_[k].GetString(), doc_[k].GetStringLength());
    }
    int64_t num(const char *k, int64_t def = 0) const {
        if (!ok_ || !doc_.HasMember(k) || !doc_[k].IsInt64()) return def;
        return doc_[k].GetInt64();
    }
    std::vector<std::string> list(const char *k) const {
        std::vector<std::string> out;
        if (!ok_ || !doc_.HasMember(k) || !doc_[k].IsArray()) return out;
        for (const auto &v : doc_[k].GetArray())
            if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
        return out;
    }

private:
    rapidjson::Document doc_;
    bool ok_ = false;
};

} // namespace hr::mimecast
