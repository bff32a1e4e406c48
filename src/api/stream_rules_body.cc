#include "api/stream_rules_body.h"

#include <boost/json/parse.hpp>

#include "api/params.h"

namespace sluice {

namespace {

namespace json = boost::json;

Status Bad(std::string member, std::string message) { return InvalidRequest(std::move(member), "", std::move(message)); }

// Only the members in `allowed` (X's additionalProperties: false).
Status OnlyMembers(const json::object& obj, std::string_view where, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : obj) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) (list += list.empty() ? "" : ", ") += a;
      return Bad(std::string(key), "`" + std::string(key) + "` is not a member of " + std::string(where) +
                                       " (allowed: " + list + ")");
    }
  }
  return Status::Ok();
}

Status ReadAdd(const json::value& v, StreamRulesBody& out) {
  const auto* list = v.if_array();
  if (!list || list->empty()) return Bad("add", "`add` must be a non-empty array of rules ({\"value\", \"tag\"})");
  for (const auto& item : *list) {
    const auto* rule = item.if_object();
    if (!rule) return Bad("add", "each rule of `add` must be an object with `value` and an optional `tag`");
    if (Status s = OnlyMembers(*rule, "a rule", {"value", "tag"}); !s.ok()) return s;
    const json::value* value = rule->if_contains("value");
    if (!value || !value->is_string()) return Bad("value", "each rule of `add` needs a `value` string");
    StreamRulesBody::Add add{std::string(value->as_string()), std::nullopt};
    if (const json::value* tag = rule->if_contains("tag")) {
      if (!tag->is_string()) return Bad("tag", "a rule's `tag` must be a string");
      add.tag = std::string(tag->as_string());
    }
    out.add.push_back(std::move(add));
  }
  return Status::Ok();
}

Status ReadDelete(const json::value& v, StreamRulesBody& out) {
  const auto* obj = v.if_object();
  if (!obj) return Bad("delete", "`delete` must be an object with `ids` or `values`");
  if (Status s = OnlyMembers(*obj, "`delete`", {"ids", "values"}); !s.ok()) return s;
  if (const json::value* ids = obj->if_contains("ids")) {
    const auto* list = ids->if_array();
    if (!list) return Bad("ids", "`ids` must be an array of rule ids");
    for (const auto& id : *list) {
      if (!id.is_string()) return Bad("ids", "each of `ids` must be a string of digits");
      auto parsed = ParseIdValue("ids", std::string_view(id.as_string()));
      if (!parsed.ok()) return parsed.status();
      out.delete_ids.push_back(*parsed);
    }
  }
  if (const json::value* values = obj->if_contains("values")) {
    const auto* list = values->if_array();
    if (!list) return Bad("values", "`values` must be an array of rule values");
    for (const auto& value : *list) {
      if (!value.is_string()) return Bad("values", "each of `values` must be a string");
      out.delete_values.emplace_back(value.as_string());
    }
  }
  if (out.delete_ids.empty() && out.delete_values.empty())
    return Bad("delete", "`delete` must name at least one rule in `ids` or `values`");
  return Status::Ok();
}

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

Result<StreamRulesBody> ParseStreamRulesBody(std::string_view body, bool delete_all) {
  StreamRulesBody out;
  if (delete_all && Blank(body)) return out;
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return Bad("body", "The request body must be a JSON object (" + ec.message() + ")");
  const auto* obj = doc.if_object();
  if (!obj) return Bad("body", "The request body must be a JSON object (got another JSON value)");
  if (Status s = OnlyMembers(*obj, "the request body", {"add", "delete"}); !s.ok()) return s;
  const json::value* add = obj->if_contains("add");
  const json::value* del = obj->if_contains("delete");
  if (delete_all) {
    if (add || del) return Bad("delete_all", "With delete_all=true the body may hold neither `add` nor `delete`");
    return out;
  }
  if (!add == !del) return Bad("body", "The request body must hold exactly one of `add` and `delete`");
  if (Status s = add ? ReadAdd(*add, out) : ReadDelete(*del, out); !s.ok()) return s;
  return out;
}

}  // namespace sluice
