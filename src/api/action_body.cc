#include "api/action_body.h"

#include <algorithm>
#include <cctype>

#include <boost/json/parse.hpp>

#include "api/params.h"

namespace sluice {

namespace {

namespace json = boost::json;

// The body as an object with exactly `member`: its value, or the 400 that says why not.
Result<const json::value*> OnlyMember(const json::value& doc, std::string_view member) {
  const auto* obj = doc.if_object();
  if (!obj) return InvalidRequest("body", "", "The request body must be a JSON object (got another JSON value)");
  for (const auto& [key, value] : *obj)
    if (key != member)
      return InvalidRequest(std::string(key), "", "`" + std::string(key) + "` is not a member of the request body (allowed: " +
                                                     std::string(member) + ")");
  const json::value* v = obj->if_contains(member);
  if (!v) return InvalidRequest(std::string(member), "", "`" + std::string(member) + "` is required");
  return v;
}

Result<json::value> ParseObject(std::string_view body) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return InvalidRequest("body", "", "The request body must be a JSON object (" + ec.message() + ")");
  return doc;
}

}  // namespace

bool IsMediaType(std::string_view content_type, std::string_view type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t.size() == type.size() && std::equal(t.begin(), t.end(), type.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

Status RequireJsonContentType(std::string_view content_type) {
  if (!IsMediaType(content_type, "application/json"))
    return UnsupportedMediaType("This endpoint takes Content-Type: application/json");
  return Status::Ok();
}

Result<Id> ParseIdBody(std::string_view body, std::string_view member) {
  auto doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  auto v = OnlyMember(*doc, member);
  if (!v.ok()) return v.status();
  if (!(*v)->is_string())
    return InvalidRequest(std::string(member), "", "`" + std::string(member) + "` must be a string of digits");
  return ParseIdValue(member, std::string_view((*v)->as_string()));
}

Result<bool> ParseHiddenBody(std::string_view body) {
  auto doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  auto v = OnlyMember(*doc, "hidden");
  if (!v.ok()) return v.status();
  if (!(*v)->is_bool()) return InvalidRequest("hidden", "", "`hidden` must be true or false");
  return (*v)->as_bool();
}

}  // namespace sluice
