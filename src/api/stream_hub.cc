#include "api/stream_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "api/stream_connection.h"
#include "core/mix.h"
#include "store/search/match.h"

namespace sluice {

bool InSample(Id post_id) { return Mix64(uint64_t(post_id)) % 100 == 0; }

// Another mix than the sample's, so that the sample is not all in one partition.
int CompliancePartition(Id post_id) {
  return int(Mix64(uint64_t(post_id) ^ 0x9E3779B97F4A7C15ULL) % kCompliancePartitions) + 1;
}

Id CompliancePartitionKey(const StreamEvent& event) {
  if (!event.notice) return event.post->post.id;
  return IsUserComplianceEvent(event.notice->kind) ? event.notice->user_id : event.notice->post_id;
}

StreamHub::~StreamHub() = default;

void StreamHub::Attach(const Services& services) { delivery_ = StreamDeliveryStages(services); }

uint64_t StreamHub::Subscribe(Subscription s, int max_per_app) {
  std::lock_guard lock(mu_);
  if (max_per_app > 0) {
    int open = 0;
    for (const auto& [handle, other] : streams_)
      if (other.app == s.app && other.feed == s.feed) ++open;
    if (open >= max_per_app) return 0;
  }
  uint64_t handle = next_handle_++;
  streams_.emplace(handle, std::move(s));
  return handle;
}

void StreamHub::Unsubscribe(uint64_t handle) {
  std::lock_guard lock(mu_);
  streams_.erase(handle);
}

int StreamHub::OpenStreams(Id app, StreamFeed feed) const {
  std::lock_guard lock(mu_);
  int open = 0;
  for (const auto& [handle, s] : streams_)
    if (s.app == app && s.feed == feed) ++open;
  return open;
}

int StreamHub::OpenStreams() const {
  std::lock_guard lock(mu_);
  return int(streams_.size());
}

void StreamHub::SetRules(std::shared_ptr<const RuleIndex> rules) {
  std::lock_guard lock(mu_);
  rules_ = std::move(rules);
}

std::shared_ptr<const RuleIndex> StreamHub::rules() const {
  std::lock_guard lock(mu_);
  return rules_;
}

Status StreamHub::RefreshRules(Store& store) {
  std::lock_guard refresh(refresh_mu_);
  auto version = store.StreamRulesVersion();  // before the rules: a change after it is seen next time
  if (!version.ok()) return version.status();
  if (*version == rules_version_) return Status::Ok();
  auto stored = store.AllStreamRules();
  if (!stored.ok()) return stored.status();
  std::vector<Id> unparsed;
  std::vector<IndexedRule> rules = ToIndexedRules(*stored, &unparsed);
  for (Id id : unparsed) spdlog::warn("stream rule {} no longer parses: left out of the index", id);
  const std::shared_ptr<const KeyFrequencies> frequencies = key_frequencies();
  SetRules(RuleIndex::Build(std::move(rules), frequencies.get()));
  rules_version_ = *version;
  return Status::Ok();
}

std::shared_ptr<const KeyFrequencies> StreamHub::key_frequencies() const {
  std::lock_guard lock(keys_mu_);
  return key_frequencies_;
}

void StreamHub::CountKeys(const SearchSubject& post) {
  if (keys_offered_.fetch_add(1, std::memory_order_relaxed) % kKeySampleEvery != 0) return;
  std::lock_guard lock(keys_mu_);
  keys_counting_.Add(post);
  if (keys_counting_.posts() < kKeySamplePosts) return;
  key_frequencies_ = std::make_shared<const KeyFrequencies>(std::move(keys_counting_));
  keys_counting_ = KeyFrequencies();
}

SearchFacts StreamHub::FactsOf(const StoredPost& p, const std::vector<User>& users, Id retweeted_author) {
  const Post& post = p.post;
  auto user = [&](Id id) -> const User* {
    for (const User& u : users)
      if (u.id == id) return &u;
    return nullptr;
  };
  SearchFacts f;
  f.text = post.note_text.empty() ? std::string_view(post.text) : std::string_view(post.note_text);
  f.lang = post.lang;
  f.reply = post.Reference(ReferenceType::kRepliedTo).has_value();
  f.retweet = post.Reference(ReferenceType::kRetweeted).has_value();
  f.quote = post.Reference(ReferenceType::kQuoted).has_value();
  f.nullcast = post.nullcast;
  f.author_id = post.author_id;
  if (const User* a = user(post.author_id)) {
    f.verified = a->verified_type != VerifiedType::kNone;
    f.author_username = a->username;
    f.author_description = a->description;
  }
  if (post.in_reply_to_user_id) {
    f.in_reply_to_user_id = *post.in_reply_to_user_id;
    if (const User* u = user(*post.in_reply_to_user_id)) f.in_reply_to_username = u->username;
  }
  if (retweeted_author) {
    f.retweeted_user_id = retweeted_author;
    if (const User* u = user(retweeted_author)) f.retweeted_username = u->username;
  }
  f.conversation_id = post.conversation_id;
  f.replied_to_id = post.Reference(ReferenceType::kRepliedTo).value_or(0);
  f.quoted_id = post.Reference(ReferenceType::kQuoted).value_or(0);
  return f;
}

void StreamHub::Announce(Store& store, const PostChange& change) {
  if (OpenStreams() == 0) return;
  // Rules changed on another node show within kRulesPollMs (this node's own at once).
  const TimeMs steady = TimeMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch()).count());
  if (steady - rules_checked_.load(std::memory_order_relaxed) >= kRulesPollMs) {
    rules_checked_.store(steady, std::memory_order_relaxed);
    if (Status s = RefreshRules(store); !s.ok()) spdlog::warn("streams: rules not reloaded: {}", s.message());
  }
  const Id id = change.post_id;
  auto posts = store.GetPosts(std::span<const Id>(&id, 1));
  if (!posts.ok() || posts->empty()) {
    if (!posts.ok()) spdlog::warn("streams: post {} not read: {}", id, posts.status().message());
    return;
  }
  auto post = std::make_shared<const StoredPost>(std::move(posts->front()));
  if (change.deleted) return Deleted(std::move(post), change.at);
  // The accounts the rules may name: the author, the one replied to, the reposted post's author.
  std::vector<Id> user_ids{post->post.author_id};
  if (post->post.in_reply_to_user_id) user_ids.push_back(*post->post.in_reply_to_user_id);
  Id retweeted_author = 0;
  if (auto reposted = post->post.Reference(ReferenceType::kRetweeted)) {
    auto source = store.GetPosts(std::span<const Id>(&*reposted, 1));
    if (source.ok() && !source->empty()) user_ids.push_back(retweeted_author = source->front().post.author_id);
  }
  auto users = store.GetUsers(user_ids);
  if (!users.ok()) {
    spdlog::warn("streams: the accounts of post {} not read: {}", id, users.status().message());
    return;
  }
  const User* author = nullptr;
  for (const User& u : *users)
    if (u.id == post->post.author_id) author = &u;
  if (!author) return;
  const SearchFacts facts = FactsOf(*post, *users, retweeted_author);
  Published(post, *author, change.at, &facts);
}

void StreamHub::Published(std::shared_ptr<const StoredPost> post, const User& author, TimeMs at,
                          const SearchFacts* facts) {
  // X streams what an app-only token may read: a protected account's posts are not in them.
  if (author.is_protected || author.synthetic || post->post.IsEarlierVersion()) return;
  std::vector<Subscription> streams;
  std::shared_ptr<const RuleIndex> rules;
  bool filtered = false;
  {
    std::lock_guard lock(mu_);
    for (const auto& [handle, s] : streams_) {
      if (s.feed != StreamFeed::kFiltered && s.feed != StreamFeed::kSample) continue;
      filtered |= s.feed == StreamFeed::kFiltered;
      streams.push_back(s);
    }
    rules = rules_;
  }
  // Matched once for every app (the index), only when a filtered stream is open.
  std::vector<const IndexedRule*> matched;
  const std::vector<User> just_author{author};  // what a `facts` made here views
  if (filtered && rules) {
    std::optional<SearchFacts> own;
    if (!facts) facts = &own.emplace(FactsOf(*post, just_author, 0));
    const SearchSubject subject(*facts);
    matched = rules->Match(subject);
    CountKeys(subject);
  }
  const bool sampled = InSample(post->post.id);
  auto renders = std::make_shared<SharedRenders>();
  for (const Subscription& s : streams) {
    StreamEvent e;
    e.post = post;
    e.at = at;
    e.renders = renders;
    if (s.feed == StreamFeed::kSample) {
      if (!sampled) continue;
    } else {
      // Match orders by (app, rule): the app's are one run.
      auto first = std::lower_bound(matched.begin(), matched.end(), s.app,
                                    [](const IndexedRule* r, Id app) { return r->app_id < app; });
      for (auto it = first; it != matched.end() && (*it)->app_id == s.app; ++it) e.rules.push_back(*it);
      if (e.rules.empty()) continue;
      e.rules_held = rules;
    }
    Deliver(s, std::move(e));
  }
}

void StreamHub::Deleted(std::shared_ptr<const StoredPost> post, TimeMs at) {
  std::vector<Subscription> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [handle, s] : streams_)
      if (s.feed == StreamFeed::kPostCompliance) out.push_back(s);
  }
  for (const Subscription& s : out) {
    StreamEvent e;
    e.post = post;
    e.deleted = true;
    e.at = at;
    Deliver(s, std::move(e));
  }
}

std::optional<ApiResponse> SharedRenders::Find(const Key& key) const {
  std::lock_guard lock(mu_);
  for (const auto& [k, response] : responses_)
    if (k == key) return response;
  return std::nullopt;
}

void SharedRenders::Keep(const Key& key, const ApiResponse& response) {
  std::lock_guard lock(mu_);
  for (const auto& [k, r] : responses_)
    if (k == key) return;
  responses_.emplace_back(key, response);
}

void StreamHub::AnnounceCompliance(const ComplianceEvent& event) {
  const StreamFeed feed = IsUserComplianceEvent(event.kind) ? StreamFeed::kUserCompliance : StreamFeed::kPostCompliance;
  std::vector<Subscription> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [handle, s] : streams_)
      if (s.feed == feed) out.push_back(s);
  }
  if (out.empty()) return;
  auto notice = std::make_shared<const ComplianceEvent>(event);
  for (const Subscription& s : out) {
    StreamEvent e;
    e.notice = notice;
    e.at = event.event_at;
    Deliver(s, std::move(e));
  }
}

void StreamHub::Deliver(const Subscription& s, StreamEvent event) {
  events_.fetch_add(1, std::memory_order_relaxed);
  s.executor->Post([weak = s.subscriber, event = std::move(event)]() mutable {
    if (auto target = weak.lock()) target->OnEvent(std::move(event));
  });
}

}  // namespace sluice
