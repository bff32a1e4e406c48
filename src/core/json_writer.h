#pragma once
//! JsonWriter: appends JSON to one string buffer, the response body, without building a
//! document tree first (the hot path renders every response this way). It does not check
//! structure: callers pair Begin/End and put Key before each object member. Commas are
//! inserted automatically.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(1024); }

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);
  void String(std::string_view s);
  void Int(int64_t v);
  //! An id: X sends 64-bit ids as decimal strings.
  void IdString(int64_t v);
  void Bool(bool v);
  void Null();
  //! Inserts already-serialized JSON as one value.
  void Raw(std::string_view json);

  // Convenience: Key + value.
  void Member(std::string_view key, std::string_view s) { Key(key); String(s); }
  void Member(std::string_view key, const char* s) { Key(key); String(s); }
  void MemberInt(std::string_view key, int64_t v) { Key(key); Int(v); }
  void MemberId(std::string_view key, int64_t v) { Key(key); IdString(v); }
  void MemberBool(std::string_view key, bool v) { Key(key); Bool(v); }
  //! Key + an array of ids as decimal strings.
  void MemberIdArray(std::string_view key, std::span<const int64_t> ids) {
    Key(key);
    BeginArray();
    for (int64_t id : ids) IdString(id);
    EndArray();
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Open(char c);
  void Close(char c);
  void Separate();

  std::string out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

//! Appends `s` to `out` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace sluice
