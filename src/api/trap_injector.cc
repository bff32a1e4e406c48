#include "api/trap_injector.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <queue>
#include <sstream>

#include "api/trap_profile.h"
#include "api/trap_query.h"
#include "core/mix.h"
#include "core/snowflake.h"
#include "core/text.h"

namespace sluice {

namespace {
// The secret's first 8 bytes (it holds at least 32), as the key of the page draws.
uint64_t DrawKey(std::string_view secret) {
  uint64_t k = 0;
  for (size_t i = 0; i < 8 && i < secret.size(); ++i) k = (k << 8) | uint8_t(secret[i]);
  return Mix64(k);
}
}  // namespace

TrapInjector::TrapInjector(std::string secret, int64_t every_posts, TrapTextModel model)
    : secret_(std::move(secret)),
      key_(DrawKey(secret_)),
      every_posts_(std::max<int64_t>(every_posts, 1)),
      model_(std::move(model)) {}

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
  sp.post.metrics = trap.metrics;
  sp.entities_json = trap.entities_json;
  return sp;
}

Result<std::optional<Id>> TrapInjector::NewestTrapBy(Store& store, Id app, Id author) {
  PageRequest newest;
  newest.limit = 1;
  auto found = store.FindTraps(app, TrapFilter{nullptr, author}, newest);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Id>();
  return std::optional<Id>(found->front().id);
}

Result<bool> TrapInjector::TrapOf(Store& store, Id app, Id id) {
  auto trap = store.GetTrap(id);
  if (!trap.ok()) return trap.status();
  return trap->has_value() && (*trap)->app_id == app;
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

bool TrapInjector::Eligible(ApiContext& ctx, Id app, size_t rows) {
  {
    std::lock_guard lock(mu_);
    if (open_.count(app)) return true;
    int64_t& n = delivered_[app];
    n += int64_t(rows);
    if (n >= every_posts_) {
      open_.insert(app);
      return true;
    }
    if (!asked_.insert(app).second) return false;
  }
  auto stored = ctx.store.CountTraps(app);
  if (!stored.ok() || *stored == 0) return false;
  std::lock_guard lock(mu_);
  open_.insert(app);
  return true;
}

Id TrapInjector::MaybeInject(ApiContext& ctx, const App& app, std::vector<StoredPost>& rows, bool full, bool newer,
                             const SearchNode* query, size_t fresh) {
  if (fresh == 0) fresh = rows.size();
  if (model_.empty() || !Eligible(ctx, app.id, fresh)) return 0;
  // A full page drops its far end after the insertion: the trap never goes next to it, so
  // the page's ends (and its tokens) stay real posts. Gaps (i, i + 1) for i in [first, end).
  const size_t first_gap = full && newer ? 1 : 0;
  const size_t end_gap = rows.size() < 2 ? 0 : rows.size() - 1 - (full && !newer ? 1 : 0);
  if (end_gap <= first_gap) return 0;
  // Whether the page gets a trap depends on the app and the page's ends alone (keyed by the
  // secret, so no client can predict it): one page in every_posts / rows on average, and the
  // same page asked again the same answer (a page that got one shows it again: RenderPage).
  const uint64_t page_draw = Mix64(key_ ^ Mix64(uint64_t(app.id) ^ Mix64(uint64_t(rows.front().post.id) ^
                                                                           Mix64(uint64_t(rows.back().post.id)))));
  if (double(page_draw >> 11) / double(1ULL << 53) * double(every_posts_) >= double(fresh)) return 0;
  // A page whose query no trap can match gets none (api/trap_query.h).
  std::vector<TrapRequirements> alternatives;
  if (query) {
    alternatives = TrapAlternatives(*query);
    if (alternatives.empty()) return 0;
  }
  auto counter = ctx.store.CountTraps(app.id);
  if (!counter.ok()) return 0;
  // The gap, the id and the page post the trap is shaped on are drawn from the page too, not
  // from the counter: the same page asked again picks the same gap, which the guard below then
  // finds taken (a counter draw would pick another gap, and a page whose earlier trap its query
  // does not show would get a new trap on every request).
  const uint64_t draw = Mix64(page_draw ^ 0x9E3779B97F4A7C15ULL);
  // Where the trap goes: in a page in id order, the gap holding a point drawn uniformly over
  // the span of the gaps it may take, so gaps are taken in proportion to their width, as a
  // real post's time falls (the widest gap every time would make the post with the widest
  // neighbours a tell). Otherwise (a relevancy page, or a gap too narrow), the widest gap.
  size_t at = first_gap;
  Id gap = 0;
  const bool descending =
      std::adjacent_find(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.post.id <= b.post.id; }) ==
      rows.end();
  const Id top = rows[first_gap].post.id, bottom = rows[end_gap].post.id;
  if (descending && top - bottom >= 2) {
    const Id x = bottom + 1 + Id(draw % uint64_t(top - bottom - 1));
    while (at + 1 < end_gap && rows[at + 1].post.id >= x) ++at;
    gap = rows[at].post.id - rows[at + 1].post.id;
  }
  if (gap < 2) {
    for (size_t i = first_gap; i < end_gap; ++i) {
      Id g = rows[i].post.id - rows[i + 1].post.id;
      if (g > gap) {
        gap = g;
        at = i;
      }
    }
  }
  if (gap < 2) return 0;
  // A page asked again whose trap its query does not match (so the page does not show it)
  // gets no second one in the same gap: traps are not made anew on every request.
  PageRequest in_gap;
  in_gap.since_id = rows[at + 1].post.id;
  in_gap.until_id = rows[at].post.id;
  in_gap.limit = 1;
  if (auto there = ctx.store.FindTraps(app.id, TrapFilter{}, in_gap); !there.ok() || !there->empty()) return 0;
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
  // Its metrics and its author's profile are blends of its two neighbours' (trap_profile.h).
  const uint64_t seed = Mix64(uint64_t(trap.id) ^ Mix64(uint64_t(app.id) ^ trap.counter));
  const bool first = (seed & 1) != 0;
  const StoredPost& model = rows[first ? at : at + 1];
  const StoredPost& other = rows[first ? at + 1 : at];
  trap.metrics = TrapMetrics(model.post.metrics, other.post.metrics, seed);
  User model_author, other_author;
  model_author.created_at = other_author.created_at = trap.created_at - 86'400'000LL * int64_t(30 + seed % 900);
  // A second account to blend with: the other neighbour's author, else any other of the page
  // (a blend of one account with itself would repeat its numbers next to it).
  Id other_id = other.post.author_id;
  for (size_t i = 0; other_id == model.post.author_id && i < rows.size(); ++i) other_id = rows[i].post.author_id;
  auto authors = ctx.store.GetUsers(std::vector<Id>{model.post.author_id, other_id});
  if (authors.ok())
    for (auto& u : *authors) {
      if (u.id == other_id) other_author = u;
      if (u.id == model.post.author_id) model_author = u;
    }
  User author = TrapAuthorProfile(model_author, other_author, trap.author_id, record.author_username, record.author_name,
                                  trap.created_at, /*min_posts=*/1, seed);
  // Authors recur, as real ones do: three traps in four are by one of the distinct authors of
  // the app's 32 newest traps, drawn alike (drawing by trap would let one author take them
  // all), if that account is older than the trap by a day and has fewer traps than its
  // tweet_count says it posted.
  if ((seed >> 8) % 4 != 0) {
    PageRequest newest;
    newest.limit = 31;
    auto earlier = ctx.store.FindTraps(app.id, TrapFilter{}, newest);
    if (earlier.ok() && !earlier->empty()) {
      std::vector<Id> recent_authors;
      for (const auto& t : *earlier)
        if (std::find(recent_authors.begin(), recent_authors.end(), t.author_id) == recent_authors.end())
          recent_authors.push_back(t.author_id);
      const Id pick = recent_authors[(seed >> 16) % recent_authors.size()];
      auto known = ctx.store.GetUsers(std::vector<Id>{pick});
      PageRequest all;
      all.limit = 0;
      auto posted = ctx.store.FindTraps(app.id, TrapFilter{nullptr, pick}, all);
      if (known.ok() && known->size() == 1 && posted.ok() && known->front().synthetic &&
          known->front().created_at < trap.created_at - 86'400'000LL &&
          int64_t(posted->size()) < known->front().metrics.tweet_count) {
        author = std::move(known->front());
        trap.author_id = author.id;
      }
    }
  }
  if (auto clash = ctx.store.GetPosts(std::vector<Id>{trap.id}); !clash.ok() || !clash->empty()) return 0;
  if (!ctx.store.InsertTrap(trap, author).ok()) return 0;  // e.g. another worker took this counter
  rows.insert(rows.begin() + std::ptrdiff_t(at + 1), AsPost(trap));
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
