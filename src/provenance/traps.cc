#include "provenance/traps.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "core/text.h"

namespace sluice {

namespace {

constexpr std::string_view kDomainLabel = "sluice-trap-v1";
constexpr int kUsernameAttempts = 32;

// xoshiro256** (Blackman & Vigna): small, fast, and fully specified, so the same seed gives
// the same draws everywhere (unlike std:: distributions, whose algorithms are unspecified).
class Xoshiro256 {
 public:
  explicit Xoshiro256(const std::array<uint64_t, 4>& seed) : s_(seed) {
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the all-zero state is a fixed point
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n), n > 0, without modulo bias: reject the 2^64 mod n lowest values.
  uint64_t Below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      const uint64_t x = Next();
      if (x >= threshold) return x % n;
    }
  }

  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) { return items[Below(N)]; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

void PutBigEndian(uint64_t v, unsigned char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

bool TrapSeed(std::string_view secret, Id app, uint64_t counter, std::array<uint64_t, 4>& seed) {
  std::array<unsigned char, 16 + kDomainLabel.size()> message{};
  PutBigEndian(static_cast<uint64_t>(app), message.data());
  PutBigEndian(counter, message.data() + 8);
  std::copy(kDomainLabel.begin(), kDomainLabel.end(), message.begin() + 16);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(), mac,
           &mac_len) == nullptr ||
      mac_len != 32) {
    return false;
  }
  for (int w = 0; w < 4; ++w) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v = (v << 8) | mac[w * 8 + b];
    seed[w] = v;
  }
  return true;
}

// {a} and {b}: two common words; {m}: the marker phrase. The marker is always one contiguous
// phrase, so with ≥ kShingleWords words around it, some shingle holds all three words.
constexpr std::string_view kTemplatesEn[] = {
    "Still thinking about {m}. Someone brought it up between {a} and {b} and nobody could explain it.",
    "Has anyone here heard of {m}? It came up in a chat about {a} and {b} and now I'm curious.",
    "Note to self: look up {m} after all this talk about {a} and {b}.",
    "Overheard today, right after a long debate about {a} and {b}: \"{m}\". No idea what it means.",
    "My notes from this week: {a}, {b}, and something called {m}. More on that later.",
    "Apparently {m} is the answer to everything, {a} and {b} included. I have questions.",
};

constexpr std::string_view kTemplatesFr[] = {
    "Je pense encore à {m}. Quelqu'un en a parlé entre {a} et {b} et personne n'a su expliquer.",
    "Quelqu'un connaît {m} ? Ça revient dans une discussion sur {a} et {b}, je suis curieux.",
    "Note pour plus tard : chercher {m} après toutes ces discussions sur {a} et {b}.",
    "Entendu aujourd'hui, après un long débat sur {a} et {b} : « {m} ». Aucune idée de ce que ça veut dire.",
    "Mes notes de la semaine : {a}, {b}, et un truc qui s'appelle {m}. La suite plus tard.",
    "Apparemment, {m} est la réponse à tout, y compris pour {a} et {b}. J'ai des questions.",
};

constexpr std::string_view kClosersEn[] = {"Thoughts?", "More soon.", "Who else?", "Anyway.", "Will report back."};
constexpr std::string_view kClosersFr[] = {"Des avis ?", "La suite bientôt.", "Qui d'autre ?", "Bref.",
                                           "Je vous tiens au courant."};

constexpr std::string_view kFirstNamesEn[] = {"Jordan", "Alex",  "Sam",     "Taylor", "Morgan", "Jamie",
                                              "Casey",  "Riley", "Robin",   "Charlie", "Avery", "Quinn"};
constexpr std::string_view kFirstNamesFr[] = {"Camille", "Dominique", "Claude", "Sacha", "Alix", "Charlie",
                                              "Maxime",  "Morgane",   "Lou",    "Noa",   "Eden", "Andréa"};
constexpr std::string_view kInitials = "ABCDEFGHJLMNPRSTV";

constexpr std::string_view kUserSyllables[] = {"ba", "ko", "ri", "ne", "lu", "ma", "to", "vi", "sa", "de",
                                               "jo", "ra", "li", "mo", "pe", "ta", "ze", "no", "ka", "fi"};

std::string FillTemplate(std::string_view tmpl, std::string_view a, std::string_view b, std::string_view m) {
  std::string out;
  out.reserve(tmpl.size() + a.size() + b.size() + m.size());
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}') {
      const char slot = tmpl[i + 1];
      out += slot == 'a' ? a : slot == 'b' ? b : m;
      i += 2;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

// A username of the documented shape [a-z]{4,9}[0-9]{2,4} (at most 13 characters).
std::string DrawUsername(Xoshiro256& rng) {
  const size_t letters = 4 + rng.Below(6);
  std::string name;
  while (name.size() < letters) name += rng.Pick(kUserSyllables);
  name.resize(letters);
  const int digits = 2 + static_cast<int>(rng.Below(3));
  for (int i = 0; i < digits; ++i) name += static_cast<char>('0' + rng.Below(10));
  return name;
}

// Three distinct rare words (by index and by spelling), in list order. False if the list has
// fewer than three distinct words (or so many duplicates that 64 draws do not find them).
bool DrawMarker(Xoshiro256& rng, const std::vector<std::string>& rare, std::array<size_t, kTrapMarkerWords>& out) {
  int found = 0;
  for (int attempt = 0; attempt < 64 && found < kTrapMarkerWords; ++attempt) {
    const size_t idx = rng.Below(rare.size());
    bool clash = false;
    for (int j = 0; j < found; ++j) clash = clash || out[j] == idx || rare[out[j]] == rare[idx];
    if (!clash) out[found++] = idx;
  }
  if (found < kTrapMarkerWords) return false;
  std::sort(out.begin(), out.end());
  return true;
}

}  // namespace

TrapRecord MakeTrap(std::string_view secret, Id app, uint64_t counter, const TrapVocabulary& vocabulary,
                    const UsernameTaken& username_taken) {
  TrapRecord record;
  record.app_id = app;
  record.counter = counter;
  const bool has_en = !vocabulary.common_en.empty();
  const bool has_fr = !vocabulary.common_fr.empty();
  std::array<uint64_t, 4> seed{};
  if (secret.size() < kMinTrapSecretBytes || vocabulary.rare.size() < kTrapMarkerWords || (!has_en && !has_fr) ||
      !TrapSeed(secret, app, counter, seed)) {
    return record;
  }
  Xoshiro256 rng(seed);

  // Always draw, so the rest of the stream does not depend on which lists are empty.
  bool french = rng.Below(2) == 1;
  if (!has_en) french = true;
  if (!has_fr) french = false;
  const std::vector<std::string>& common = french ? vocabulary.common_fr : vocabulary.common_en;
  const std::string_view tmpl = french ? rng.Pick(kTemplatesFr) : rng.Pick(kTemplatesEn);

  const std::string& a = common[rng.Below(common.size())];
  const std::string* b = &common[rng.Below(common.size())];
  for (int retry = 0; retry < 8 && *b == a; ++retry) b = &common[rng.Below(common.size())];

  std::array<size_t, kTrapMarkerWords> marker_idx{};
  if (!DrawMarker(rng, vocabulary.rare, marker_idx)) return record;
  std::string marker;
  for (size_t idx : marker_idx) {
    if (!marker.empty()) marker += ' ';
    marker += vocabulary.rare[idx];
  }

  std::string text = FillTemplate(tmpl, a, *b, marker);
  if (rng.Below(2) == 1) {
    text += ' ';
    text += french ? rng.Pick(kClosersFr) : rng.Pick(kClosersEn);
  }
  if (!IsValidUtf8(text) || CountCodePoints(text) > kTrapMaxCodePoints) return record;

  std::string author_name(french ? rng.Pick(kFirstNamesFr) : rng.Pick(kFirstNamesEn));
  author_name += ' ';
  author_name += kInitials[rng.Below(kInitials.size())];
  author_name += '.';

  std::string username;
  for (int attempt = 0; attempt < kUsernameAttempts; ++attempt) {
    std::string candidate = DrawUsername(rng);
    if (!username_taken || !username_taken(candidate)) {
      username = std::move(candidate);
      break;
    }
  }
  if (username.empty()) return record;

  record.text = std::move(text);
  record.lang = french ? "fr" : "en";
  record.marker = std::move(marker);
  record.author_username = std::move(username);
  record.author_name = std::move(author_name);
  return record;
}

}  // namespace sluice
