#include "api/trap_injector.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <queue>

#include "api/trap_query.h"
#include "core/mix.h"
#include "core/text.h"
#include "core/snowflake.h"

namespace sluice {

TrapInjector::TrapInjector(std::string secret, int64_t every_posts, TrapTextModel model)
    : secret_(std::move(secret)), every_posts_(std::max<int64_t>(every_posts, 1)), model_(std::move(model)) {}

Result<TrapTextModel> TrapInjector::ModelFromStore(Store& store, size_t max_posts) {
  // Bottom-k ids by a hash: a uniform sample, the same for the same store.
  std::priority_queue<std::pair<uint64_t, Id>> kept;
  Status s = store.ForEachPost([&](Id id, std::string_view, bool deleted) {
    if (deleted || max_posts == 0) return true;
    const uint64_t h = Mix64(uint64_t(id) ^ 0x7472617073ULL);
    if (kept.size() == max_posts && h >= kept.top().first) return true;
    kept.emplace(h, id);
    if (kept.size() > max_posts) kept.pop();
    return true;
  });
  if (!s.ok()) return s;
  std::vector<Id> ids;
  for (; !kept.empty(); kept.pop()) ids.push_back(kept.top().second);
  std::sort(ids.begin(), ids.end());
  // Original posts only, live and latest: a trap is one (no reference, no reply).
  std::vector<Post> posts;
  constexpr size_t kBatch = 500;
  for (size_t i = 0; i < ids.size(); i += kBatch) {
    auto batch = store.GetPosts(std::span<const Id>(ids).subspan(i, std::min(kBatch, ids.size() - i)));
    if (!batch.ok()) return batch.status();
    for (auto& sp : *batch) {
      const Post& p = sp.post;
      if (p.deleted_at || p.IsEarlierVersion() || !p.referenced.empty() || p.in_reply_to_user_id || p.lang.empty() ||
          p.lang == "und")
        continue;
      posts.push_back(std::move(sp.post));
    }
  }
  std::vector<TrapTextModel::Sample> samples;
  samples.reserve(posts.size());
  for (const auto& p : posts) samples.push_back({p.text, p.lang});
  return TrapTextModel::Build(samples);
}

StoredPost TrapInjector::AsPost(const StoredTrap& trap) {
  StoredPost sp;
  sp.post.id = trap.id;
  sp.post.author_id = trap.author_id;
  sp.post.text = trap.text;
  sp.post.created_at = trap.created_at;
  sp.post.lang = trap.lang;
  sp.post.conversation_id = trap.id;
  sp.post.edit_history = {trap.id};
  return sp;
}

void TrapInjector::MarkTrapDelivered(ApiResponse& response, Id trap) {
  auto& posts = response.delivered_posts;
  posts.erase(std::remove(posts.begin(), posts.end(), trap), posts.end());
  response.delivered_traps.push_back(trap);
}

// An id strictly between `lo` and `hi` (hi - lo >= 2) shaped like the page's: when a whole
// millisecond lies between them, a time drawn there with the lower neighbour's node and
// sequence (a random sequence would be a tell: real ids' low bits are small); else any id in
// the gap.
Id TrapInjector::TrapId(Id hi, Id lo, uint64_t draw) {
  const TimeMs t_lo = SnowflakeTime(lo), t_hi = SnowflakeTime(hi);
  if (t_hi - t_lo >= 2) {
    const TimeMs t = t_lo + 1 + TimeMs(draw % uint64_t(t_hi - t_lo - 1));
    const Id id = MakeSnowflake(t, SnowflakeNode(lo), SnowflakeSequence(lo));
    if (id > lo && id < hi) return id;
  }
  return lo + 1 + Id(draw % uint64_t(hi - lo - 1));
}

Id TrapInjector::MaybeInject(ApiContext& ctx, const App& app, std::vector<StoredPost>& rows, const SearchNode* query) {
  if (model_.empty()) return 0;
  {
    // A trap falls due every every_posts posts; one that no page could take yet (a query no
    // trap can match, a page too small) stays due for the app's next page.
    std::lock_guard lock(mu_);
    int64_t& n = delivered_[app.id];
    int64_t before = n / every_posts_;
    n += int64_t(rows.size());
    if (n / every_posts_ != before) due_.insert(app.id);
    if (!due_.count(app.id)) return 0;
  }
  if (rows.size() < 2) return 0;
  std::vector<TrapRequirements> alternatives;
  if (query) {
    alternatives = TrapAlternatives(*query);
    if (alternatives.empty()) return 0;
  }
  auto counter = ctx.store.CountTraps(app.id);
  if (!counter.ok()) return 0;
  const uint64_t draw = Mix64(uint64_t(app.id) ^ uint64_t(*counter));
  // Where the trap goes: in a page in id order, the gap holding a point drawn uniformly over
  // the page's span, so gaps are taken in proportion to their width, as a real post's time
  // falls (the widest gap every time would make the post with the widest neighbours a tell).
  // Otherwise (a relevancy page, or a gap too narrow), the widest gap between neighbours.
  size_t at = 0;
  Id gap = 0;
  const bool descending =
      std::adjacent_find(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.post.id <= b.post.id; }) ==
      rows.end();
  if (descending && rows.front().post.id - rows.back().post.id >= 2) {
    const Id x = rows.back().post.id + 1 + Id(draw % uint64_t(rows.front().post.id - rows.back().post.id - 1));
    while (at + 2 < rows.size() && rows[at + 1].post.id >= x) ++at;
    gap = rows[at].post.id - rows[at + 1].post.id;
  }
  if (gap < 2) {
    for (size_t i = 0; i + 1 < rows.size(); ++i) {
      Id g = rows[i].post.id - rows[i + 1].post.id;
      if (g > gap) {
        gap = g;
        at = i;
      }
    }
  }
  if (gap < 2) return 0;
  // An original post of the page, drawn: the trap takes its language and shape.
  TrapPageHint hint;
  {
    std::vector<const Post*> originals;
    for (const auto& r : rows)
      if (r.post.referenced.empty() && !r.post.in_reply_to_user_id) originals.push_back(&r.post);
    if (!originals.empty()) {
      const Post& like = *originals[Mix64(draw) % originals.size()];
      hint = {like.lang, like.note_text.empty() ? std::string_view(like.text) : std::string_view(like.note_text)};
    }
  }
  TrapTextAccepted matches;
  if (query) matches = [&](std::string_view text, std::string_view lang) { return TrapMatches(*query, text, lang); };
  TrapRecord record =
      MakeTrap(secret_, app.id, uint64_t(*counter), model_, alternatives, matches,
               [&](std::string_view name) {
                 auto found = ctx.store.GetUsersByUsername(std::vector<std::string>{std::string(name)});
                 return !found.ok() || !found->empty();
               },
               hint);
  if (!record.ok()) return 0;
  StoredTrap trap;
  trap.id = TrapId(rows[at].post.id, rows[at + 1].post.id, Mix64(draw));
  trap.app_id = app.id;
  trap.counter = uint64_t(*counter);
  trap.author_id = ctx.ids.Next();
  trap.text = record.text;
  trap.lang = record.lang;
  trap.created_at = SnowflakeTime(trap.id);
  trap.marker = "";  // version 2: found by its fingerprint (traps.h)
  User author;
  author.id = trap.author_id;
  author.username = record.author_username;
  author.name = record.author_name;
  author.created_at = trap.created_at - 86'400'000LL * int64_t(30 + trap.id % 900);
  author.synthetic = true;
  if (auto clash = ctx.store.GetPosts(std::vector<Id>{trap.id}); !clash.ok() || !clash->empty()) return 0;
  if (!ctx.store.InsertTrap(trap, author).ok()) return 0;  // e.g. another worker took this counter
  rows.insert(rows.begin() + std::ptrdiff_t(at + 1), AsPost(trap));
  {
    std::lock_guard lock(mu_);
    due_.erase(app.id);
  }
  return trap.id;
}

Result<std::string> TrapInjector::LoadOrCreateSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream s;
    s << in.rdbuf();
    if (s.str().size() < 32) return CommandError(path + ": a trap secret must hold at least 32 bytes");
    return s.str();
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return CommandError("no randomness for the trap secret");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return CommandError(path + ": cannot create the trap secret");
  bool ok = ::write(fd, bytes, sizeof bytes) == ssize_t(sizeof bytes) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return CommandError(path + ": cannot write the trap secret");
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace sluice
