#include "api/write_intents.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "ledger/record.h"
#include "core/routes.h"
#include "ledger/segment.h"

namespace sluice {

Status ApplyWrite(Store& store, Id post_id) {
  return store.ApplyIntent(post_id);
}

namespace {

// The records that settle intents: which write or action each endpoint's success is.
struct RecordKind {
  std::optional<WriteIntent::Kind> write;    // its post ids are posts created or deleted
  std::optional<ActionIntent::Kind> action;  // user_ids[0] acted on post_ids[0] or user_ids[1]
};

RecordKind KindOf(const LedgerRecord& r) {
  using A = ActionIntent::Kind;
  if (r.status != 200 && r.status != 201) return {};
  auto route = RouteByEndpoint(r.endpoint);
  if (!route) return {};
  switch (*route) {
    case RouteId::kCreatePost:
      return r.status == 201 ? RecordKind{WriteIntent::Kind::kPost, {}} : RecordKind{};
    case RouteId::kDeletePost:
    case RouteId::kUnrepost: return {WriteIntent::Kind::kDelete, {}};
    case RouteId::kRepost: return {WriteIntent::Kind::kPost, {}};
    case RouteId::kLikePost: return {{}, A::kLike};
    case RouteId::kUnlikePost: return {{}, A::kUnlike};
    case RouteId::kFollowUser: return {{}, A::kFollow};
    case RouteId::kUnfollowUser: return {{}, A::kUnfollow};
    case RouteId::kHideReply: return {{}, A::kHide};  // or kUnhide: the response said which, not the record
    default: return {};
  }
}

// Actions come in opposite pairs on one (user, target): like and unlike, follow and unfollow,
// hide and unhide. The pair's group and the action's side.
int Group(ActionIntent::Kind k) { return int(k) / 2; }

struct PairKey {
  int group;
  Id user, target;
  bool operator==(const PairKey&) const = default;
};
struct PairHash {
  size_t operator()(const PairKey& k) const {
    return std::hash<Id>()(k.user) * 31 + std::hash<Id>()(k.target) * 7 + size_t(k.group);
  }
};

// The (user, target) an action record names; nullopt when it names none.
std::optional<PairKey> PairOf(const LedgerRecord& r, ActionIntent::Kind kind) {
  if (r.user_ids.empty()) return std::nullopt;
  if (Group(kind) == Group(ActionIntent::Kind::kFollow)) {
    if (r.user_ids.size() < 2) return std::nullopt;
    return PairKey{Group(kind), r.user_ids[0], r.user_ids[1]};
  }
  if (r.post_ids.empty()) return std::nullopt;
  return PairKey{Group(kind), r.user_ids[0], r.post_ids[0]};
}

}  // namespace

Result<ReconcileReport> ReconcileWrites(const std::string& ledger_dir, Store& store) {
  auto intents = store.ListIntents();
  if (!intents.ok()) return intents.status();
  auto actions = store.ListActions();
  if (!actions.ok()) return actions.status();
  ReconcileReport report;
  if (intents->empty() && actions->empty()) return report;
  struct Pending {
    WriteIntent intent;
    bool recorded = false;
  };
  std::unordered_map<Id, Pending> by_post;
  uint64_t from = UINT64_MAX;
  for (const auto& w : *intents) {
    by_post[w.post_id] = {w, false};
    from = std::min(from, w.ledger_size);
  }
  // Actions are settled per (user, target) by the last record of the pair: a like recorded
  // after an unlike wins, whatever intents were left behind before it.
  struct Last {
    uint64_t seq = 0;
    ActionIntent::Kind kind{};
    bool seen = false;
  };
  std::unordered_map<PairKey, Last, PairHash> last;
  for (const auto& a : *actions) {
    last[PairKey{Group(a.kind), a.user_id, a.target_id}] = {};
    from = std::min(from, a.ledger_size);
  }
  // Only the records from the oldest intent's noted size on: start-up does not read the ledger.
  auto scan = ScanSegmentsFrom(ledger_dir, {"", 0, from}, UINT64_MAX, [&](const LedgerPosition&, std::string_view payload) -> Status {
    auto r = DecodeRecord(payload);
    if (!r.ok()) return r.status();
    const RecordKind kind = KindOf(*r);
    if (kind.write) {
      for (Id id : r->post_ids) {
        auto it = by_post.find(id);
        if (it != by_post.end() && it->second.intent.kind == *kind.write && r->seq >= it->second.intent.ledger_size)
          it->second.recorded = true;
      }
    } else if (kind.action) {
      auto pair = PairOf(*r, *kind.action);
      if (!pair) return Status::Ok();
      auto it = last.find(*pair);
      if (it == last.end()) return Status::Ok();
      ActionIntent::Kind k = *kind.action;
      it->second = {r->seq, k, true};
    }
    return Status::Ok();
  });
  if (!scan.ok()) return scan.status();
  for (const auto& [id, p] : by_post) {
    if (Status s = p.recorded ? store.ApplyIntent(id) : store.DropIntent(id); !s.ok()) return s;
    ++(p.recorded ? report.applied : report.dropped);
  }
  // Per pair: one intent of the last record's side, noted before that record, is applied
  // (applying is idempotent); every other intent of the pair is dropped. A hide record does
  // not say hide or unhide: the pair's newest intent noted before it is the one it recorded.
  std::unordered_map<PairKey, Id, PairHash> apply;
  for (const auto& a : *actions) {
    const PairKey key{Group(a.kind), a.user_id, a.target_id};
    const Last& l = last[key];
    if (!l.seen || a.ledger_size > l.seq) continue;
    const bool hide_pair = Group(a.kind) == Group(ActionIntent::Kind::kHide);
    if (!hide_pair && a.kind != l.kind) continue;
    apply[key] = a.id;  // ListActions is by id (snowflakes: in the order noted), so the newest stays
  }
  for (const auto& a : *actions) {
    const auto it = apply.find(PairKey{Group(a.kind), a.user_id, a.target_id});
    const bool applied = it != apply.end() && it->second == a.id;
    if (Status s = applied ? store.ApplyAction(a.id) : store.DropAction(a.id); !s.ok()) return s;
    ++(applied ? report.applied : report.dropped);
  }
  return report;
}

}  // namespace sluice
