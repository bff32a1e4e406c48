// Batch compliance: the upload parser, the result and event lines, the check against the
// store, the notice record and the job's JSON (compliance.h).
#include "api/compliance.h"

#include <unordered_map>
#include <unordered_set>

#include "core/json_writer.h"
#include "core/time_format.h"

namespace sluice {

namespace {

constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();

}  // namespace

std::string ComplianceResultLine(const ComplianceAction& a) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("id", a.id);
  w.Member("action", "delete");
  w.Member("created_at", FormatTime(a.created_at));
  w.Member("redacted_at", FormatTime(a.redacted_at));
  w.Member("reason", a.reason);
  w.EndObject();
  return w.Take() + "\n";
}

Id ComplianceResultLineId(std::string_view line) {
  constexpr std::string_view kPrefix = R"({"id":")";
  if (line.substr(0, kPrefix.size()) != kPrefix) return 0;
  line.remove_prefix(kPrefix.size());
  uint64_t v = 0;
  size_t n = 0;
  for (; n < line.size() && n < 19 && line[n] >= '0' && line[n] <= '9'; ++n) v = v * 10 + uint64_t(line[n] - '0');
  if (n == 0 || n >= line.size() || line[n] != '"' || v > uint64_t(kMaxId)) return 0;
  return Id(v);
}

namespace {

// Why an account needs action at `now`, and since when: deleted (X's "deactivated"), then
// suspended, then protected; nullopt when none.
std::optional<std::pair<std::string_view, TimeMs>> AccountReason(const User& u, TimeMs now) {
  if (u.deactivated_at) return std::pair<std::string_view, TimeMs>{"deactivated", *u.deactivated_at};
  if (u.suspended_at) return std::pair<std::string_view, TimeMs>{"suspended", *u.suspended_at};
  if (u.is_protected) return std::pair<std::string_view, TimeMs>{"protected", now};
  return std::nullopt;
}

}  // namespace

Result<std::string> CheckComplianceIds(Store& store, std::string_view type, std::span<const Id> ids, TimeMs now) {
  std::string out;
  if (type == "users") {
    auto users = store.GetUsers(ids);
    if (!users.ok()) return users.status();
    std::unordered_map<Id, const User*> by_id;
    for (const User& u : *users) by_id[u.id] = &u;
    for (Id id : ids) {
      auto it = by_id.find(id);
      if (it == by_id.end() || it->second->synthetic) continue;
      if (auto why = AccountReason(*it->second, now))
        out += ComplianceResultLine({id, it->second->created_at, why->second, why->first});
    }
    return out;
  }
  auto posts = store.GetPosts(ids);
  if (!posts.ok()) return posts.status();
  std::unordered_map<Id, const Post*> by_id;
  std::vector<Id> authors;
  for (const StoredPost& p : *posts) {
    by_id[p.post.id] = &p.post;
    authors.push_back(p.post.author_id);
  }
  auto users = store.GetUsers(authors);
  if (!users.ok()) return users.status();
  std::unordered_map<Id, std::pair<std::string_view, TimeMs>> author_reasons;
  for (const User& u : *users)
    if (auto why = AccountReason(u, now)) author_reasons.emplace(u.id, *why);
  for (Id id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    const Post& p = *it->second;
    if (p.deleted_at) {
      out += ComplianceResultLine({id, p.created_at, *p.deleted_at, "deleted"});
    } else if (auto why = author_reasons.find(p.author_id); why != author_reasons.end()) {
      out += ComplianceResultLine({id, p.created_at, why->second.second, why->second.first});
    }
  }
  return out;
}

std::string ComplianceEventLine(const ComplianceEvent& e) {
  using K = ComplianceEvent::Kind;
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginObject();
  auto user = [&] {
    w.Key("user");
    w.BeginObject();
    w.MemberId("id", e.user_id);
    w.EndObject();
  };
  auto post = [&] {
    w.Key("tweet");
    w.BeginObject();
    w.MemberId("id", e.post_id);
    w.MemberId("author_id", e.user_id);
    w.EndObject();
  };
  w.Key(ComplianceEventName(e.kind));
  w.BeginObject();
  if (e.kind == K::kDelete || e.kind == K::kWithheld) post();
  else user();
  if (e.kind == K::kScrubGeo) w.MemberId("up_to_tweet_id", e.post_id);
  if (e.kind == K::kWithheld || e.kind == K::kUserWithheld) {
    w.Key("withheld_in_countries");
    w.BeginArray();
    for (const auto& c : e.withheld_in_countries) w.String(c);
    w.EndArray();
  }
  w.Member("event_at", FormatTime(e.event_at));
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return w.Take();
}

LedgerRecord ComplianceNoticeRecord(const Config& config, TimeMs now, Id app_id, Id project_id,
                                    std::string_view endpoint, std::string channel, std::vector<Id> post_ids,
                                    std::vector<Id> user_ids, std::string_view request_id, uint64_t bytes) {
  LedgerRecord r;
  r.time = now;
  r.node_id = uint16_t(config.node_id);
  r.app_id = app_id;
  r.project_id = project_id;
  r.endpoint = endpoint;
  r.status = 200;
  r.post_ids = std::move(post_ids);
  r.user_ids = std::move(user_ids);
  r.request_id = request_id;
  r.response_bytes = bytes;
  r.channel = std::move(channel);
  return r;
}

std::string_view ComplianceJobStatus(const ComplianceJob& job, TimeMs now) {
  if (job.status == "created" && now >= job.upload_expires_at) return "expired";
  if (job.status == "complete" && now >= job.download_expires_at) return "expired";
  return job.status;
}

std::string ComplianceJobJson(const ComplianceJob& job, std::string_view public_url, TimeMs now) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("id", job.id);
  w.Member("type", job.type);
  if (!job.name.empty()) w.Member("name", job.name);
  w.MemberBool("resumable", job.resumable);
  w.Member("upload_url", std::string(public_url) + "/compliance/upload/" + job.upload_token);
  w.Member("upload_expires_at", FormatTime(job.upload_expires_at));
  w.Member("download_url", std::string(public_url) + "/compliance/download/" + job.download_token);
  w.Member("download_expires_at", FormatTime(job.download_expires_at));
  w.Member("status", ComplianceJobStatus(job, now));
  w.Member("created_at", FormatTime(job.created_at));
  w.EndObject();
  return w.Take();
}

}  // namespace sluice
