#include "api/admin_body.h"

#include <initializer_list>
#include <optional>

#include <boost/json/parse.hpp>

#include "core/status.h"

namespace sluice {

namespace {

namespace json = boost::json;

constexpr size_t kMaxText = 256;  // names and secrets: longer is a mistake, not a name

// The body as a JSON object whose members are all in `allowed`, or the 400 that says why not.
Result<json::object> ObjectOf(std::string_view body, std::initializer_list<std::string_view> allowed) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return InvalidRequest("body", "", "The request body must be a JSON object (" + ec.message() + ")");
  auto* obj = doc.if_object();
  if (!obj) return InvalidRequest("body", "", "The request body must be a JSON object (got another JSON value)");
  for (const auto& [key, value] : *obj) {
    bool known = false;
    std::string list;
    for (std::string_view a : allowed) {
      known = known || key == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!known)
      return InvalidRequest(std::string(key), "", "`" + std::string(key) + "` is not a member of the request body (allowed: " + list + ")");
  }
  return std::move(*obj);
}

// A member that must be a non-empty string of at most kMaxText bytes; nullopt when absent.
Result<std::optional<std::string>> Text(const json::object& obj, std::string_view member) {
  const json::value* v = obj.if_contains(member);
  if (!v) return std::optional<std::string>();
  const std::string m(member);
  if (!v->is_string()) return InvalidRequest(m, "", "`" + m + "` must be a string");
  std::string_view s = v->as_string();
  if (s.empty() || s.size() > kMaxText)
    return InvalidRequest(m, std::string(s.substr(0, 40)), "`" + m + "` must be 1 to 256 bytes long");
  return std::optional<std::string>(std::string(s));
}

Result<std::string> RequiredText(const json::object& obj, std::string_view member) {
  auto t = Text(obj, member);
  if (!t.ok()) return t.status();
  if (!*t) return InvalidRequest(std::string(member), "", "`" + std::string(member) + "` is required");
  return std::move(**t);
}

}  // namespace

Result<SessionRequest> ParseSessionBody(std::string_view body) {
  auto obj = ObjectOf(body, {"admin_token", "console_key"});
  if (!obj.ok()) return obj.status();
  auto admin = Text(*obj, "admin_token");
  if (!admin.ok()) return admin.status();
  auto console = Text(*obj, "console_key");
  if (!console.ok()) return console.status();
  if (admin->has_value() == console->has_value())
    return InvalidRequest("body", "", "Give exactly one of `admin_token` and `console_key`");
  if (*admin) return SessionRequest{true, std::move(**admin)};
  return SessionRequest{false, std::move(**console)};
}

Result<ProjectRequest> ParseProjectBody(std::string_view body) {
  auto obj = ObjectOf(body, {"name", "plan"});
  if (!obj.ok()) return obj.status();
  ProjectRequest r;
  auto name = RequiredText(*obj, "name");
  if (!name.ok()) return name.status();
  r.name = std::move(*name);
  auto plan = Text(*obj, "plan");
  if (!plan.ok()) return plan.status();
  if (*plan) r.plan = std::move(**plan);
  return r;
}

Result<AppRequest> ParseAppBody(std::string_view body) {
  auto obj = ObjectOf(body, {"name", "uses"});
  if (!obj.ok()) return obj.status();
  AppRequest r;
  auto name = RequiredText(*obj, "name");
  if (!name.ok()) return name.status();
  r.name = std::move(*name);
  if (const json::value* uses = obj->if_contains("uses")) {
    const auto* list = uses->if_array();
    if (!list || list->empty() || list->size() > 16)
      return InvalidRequest("uses", "", "`uses` must be an array of 1 to 16 use names (search, display, analytics, ai-input, ai-train)");
    for (const auto& u : *list) {
      if (!u.is_string() || u.as_string().empty() || u.as_string().size() > 32)
        return InvalidRequest("uses", "", "`uses` must hold use names (search, display, analytics, ai-input, ai-train)");
      r.uses.emplace_back(u.as_string());
    }
  }
  return r;
}

Result<int64_t> ParseCreditsBody(std::string_view body) {
  auto obj = ObjectOf(body, {"micro_usd"});
  if (!obj.ok()) return obj.status();
  const json::value* v = obj->if_contains("micro_usd");
  if (!v) return InvalidRequest("micro_usd", "", "`micro_usd` is required");
  const int64_t* n = v->if_int64();
  const uint64_t* u = v->if_uint64();
  int64_t amount = n ? *n : (u && *u <= uint64_t(kMaxCreditMicroUsd) ? int64_t(*u) : -1);
  if ((!n && !u) || amount <= 0 || amount > kMaxCreditMicroUsd)
    return InvalidRequest("micro_usd", "", "`micro_usd` must be an integer from 1 to 1000000000000000 (micro-dollars)");
  return amount;
}

}  // namespace sluice
