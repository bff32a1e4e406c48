// Synthetic users: people and a few organisations (governments, media, businesses), their
// popularity a shuffled Zipf rank that also drives their follower counts.

#include <algorithm>
#include <cmath>

#include "ingest/seed_internal.h"
#include "ingest/seed_text.h"

namespace sluice::seed_internal {

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

namespace {

std::string PersonHandle(Rng& rng, std::string_view first, std::string_view last) {
  std::string f = AsciiHandle(first), l = AsciiHandle(last);
  std::string fl = Lowercase(f), ll = Lowercase(l);
  std::string h;
  switch (rng.Below(8)) {
    case 0: h = f + l; break;
    case 1: h = fl + "_" + ll; break;
    case 2: h = fl.substr(0, 1) + ll; break;
    case 3: h = f + std::to_string(rng.Between(1960, 2005)); break;
    case 4: h = ll + fl; break;
    case 5: h = f + "_" + l.substr(0, 1); break;
    case 6: h = fl + ll + std::to_string(rng.Between(10, 99)); break;
    default: h = "Real" + f + l; break;
  }
  return h.substr(0, 15);
}

class UserMaker {
 public:
  UserMaker(Rng& rng, SeedUsers& out) : rng_(rng), out_(out) {}

  User Make(int64_t index, Id id, TimeMs created_at, int64_t rank) {
    User u;
    u.id = id;
    u.created_at = created_at;
    const vocab::Language& lang = rng_.Chance(0.6) ? vocab::French() : vocab::English();
    bool french = &lang == &vocab::French();
    std::string base;
    bool org = true;
    double role = rng_.Unit();
    if (role < 0.008) {
      const vocab::Org& g = rng_.Pick(vocab::GovernmentOrgs());
      u.name = g.name;
      base = g.username;
      u.verified_type = VerifiedType::kGovernment;
      u.description = french ? "Compte officiel." : "Official account.";
    } else if (role < 0.018) {
      const vocab::Org& m = rng_.Pick(vocab::MediaOrgs());
      u.name = m.name;
      base = m.username;
      double v = rng_.Unit();
      u.verified_type = v < 0.6 ? VerifiedType::kBusiness : v < 0.8 ? VerifiedType::kBlue : VerifiedType::kNone;
      double l = rng_.Unit();
      if (l < 0.35) u.labels.push_back("state-affiliated-media");
      else if (l < 0.65) u.labels.push_back("government-funded");
      u.description = french ? "L'actualité en continu." : "News as it happens.";
    } else if (role < 0.035) {
      const vocab::Org& b = rng_.Pick(vocab::Businesses());
      u.name = b.name;
      base = b.username;
      if (rng_.Chance(0.7)) u.verified_type = VerifiedType::kBusiness;
      u.description = french ? "Bienvenue chez nous !" : "Welcome to our page!";
    } else {
      org = false;
      std::string_view first = rng_.Pick(vocab::FirstNames());
      std::string_view last = rng_.Pick(vocab::LastNames());
      double style = rng_.Unit();
      u.name = style < 0.8 ? std::string(first) + " " + std::string(last) : std::string(first);
      if (style >= 0.95) u.name += " " + std::string(rng_.Pick(vocab::Emojis()));
      base = PersonHandle(rng_, first, last);
      if (rng_.Chance(0.11)) u.verified_type = VerifiedType::kBlue;
      u.is_protected = rng_.Chance(0.05);
      u.description = Bio(rng_, lang);
    }
    u.username = UniqueUsername(base, index);
    if (rng_.Chance(0.65)) u.location = rng_.Pick(vocab::Cities());
    if (rng_.Chance(org ? 0.8 : 0.15))
      u.url = std::string(french ? "https://www.example.fr/" : "https://www.example.com/") + Lowercase(u.username);
    Metrics(u.metrics, rank, org);

    out_.users.push_back({u.id, u.username, &lang, u.is_protected, u.metrics.followers_count,
                          u.metrics.following_count, u.metrics.like_count});
    return u;
  }

 private:
  // Unique case-insensitively: on a clash, digits replace the end of the base.
  std::string UniqueUsername(std::string base, int64_t index) {
    if (base.empty()) base = "user";
    std::string candidate = base.substr(0, 15);
    for (int attempt = 0; out_.by_username.count(Lowercase(candidate)); ++attempt) {
      if (attempt >= 20) {
        candidate = "u_" + std::to_string(index);  // no generated base starts with "u_"
        break;
      }
      std::string digits = std::to_string(attempt < 10 ? rng_.Between(1, 999) : rng_.Between(1000, 99999));
      candidate = base.substr(0, 15 - digits.size()) + digits;
    }
    out_.by_username.emplace(Lowercase(candidate), index);
    return candidate;
  }

  // Followers fall as 1/rank; the other counts are Pareto-tailed around plausible medians.
  void Metrics(UserMetrics& m, int64_t rank, bool org) {
    double spread = 0.5 + rng_.Unit();
    m.followers_count = int64_t(2'000'000.0 / double(rank + 1) * spread * (org ? 3 : 1)) + int64_t(rng_.Below(300));
    m.following_count = std::min<int64_t>(20 + int64_t(50.0 / std::sqrt(rng_.UnitNonZero())), 7500);
    m.tweet_count = std::min<int64_t>(int64_t(100.0 / rng_.UnitNonZero()), 500'000);
    m.listed_count = int64_t(double(m.followers_count) / 200.0 * rng_.Unit());
    m.like_count = std::min<int64_t>(int64_t(300.0 / rng_.UnitNonZero()), 1'000'000);
  }

  Rng& rng_;
  SeedUsers& out_;
};

}  // namespace

Status GenerateUsers(const SeedOptions& o, Rng& rng, SeedUsers& out, const Emit& emit) {
  const int64_t n = o.users;
  out.users.reserve(size_t(n));
  // Popularity ranks are shuffled so the biggest accounts are not simply the oldest.
  out.by_rank.resize(size_t(n));
  for (int64_t k = 0; k < n; ++k) out.by_rank[size_t(k)] = k;
  for (int64_t k = n - 1; k > 0; --k) std::swap(out.by_rank[size_t(k)], out.by_rank[rng.Below(uint64_t(k) + 1)]);
  std::vector<int64_t> rank_of(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) rank_of[size_t(out.by_rank[size_t(r)])] = r;
  out.popularity = ZipfSampler(n);

  // Accounts created over up to 12 years, ending a day before the posts start; more of them
  // recently. Stratified draws keep creation times sorted without sorting.
  const TimeMs start = std::max(kSnowflakeEpochMs + kDayMs, o.now - 12 * 365 * kDayMs);
  const TimeMs end = o.now - 31 * kDayMs;
  IdMaker ids(o.node_id);
  UserMaker maker(rng, out);
  WriteBatch batch;
  for (int64_t i = 0; i < n; ++i) {
    double x = (double(i) + rng.Unit()) / double(n);
    double recent = 1.0 - (1.0 - x) * (1.0 - x);
    TimeMs t = start + TimeMs(recent * double(end - start));
    Id id = ids.Make(t);
    batch.users.push_back(maker.Make(i, id, t, rank_of[size_t(i)]));
    if (int64_t(batch.users.size()) == o.batch_size || i + 1 == n) {
      int64_t count = int64_t(batch.users.size());
      if (Status s = emit(std::move(batch), count); !s.ok()) return s;
      batch = WriteBatch();
    }
  }
  return Status::Ok();
}

}  // namespace sluice::seed_internal
