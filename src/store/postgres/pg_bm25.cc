#include "store/postgres/pg_bm25.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace sluice::pg {

double Bm25Idf(int64_t rows, int64_t hits) {
  double idf = std::log((double(rows) - double(hits) + 0.5) / (double(hits) + 0.5));
  return idf <= 0.0 ? 1e-6 : idf;
}

const std::string_view kHitsColumn =
    "(SELECT string_agg(u.lexeme || chr(1) || array_to_string(u.positions, ',') || chr(1) ||"
    " array_to_string(u.weights, ''), chr(2)) FROM unnest(p.search) u WHERE u.lexeme = ANY(?::text[]))";

std::string PhraseLexemes(const std::vector<Phrase>& phrases) {
  std::vector<std::string> seen;
  std::string out = "{";
  for (const Phrase& ph : phrases)
    for (const std::string& t : ph.tokens) {
      if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
      seen.push_back(t);
      if (out.size() > 1) out += ',';
      out += '"';
      for (char c : t) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
  return out + "}";
}

double Bm25(std::string_view hits, int64_t size, const std::vector<Phrase>& phrases, const std::vector<double>& idf,
            double avgdl) {
  // Each listed lexeme's positions and their weights ('D' for a weightless one).
  std::unordered_map<std::string, std::vector<std::pair<int, char>>> at;
  while (!hits.empty()) {
    const size_t end = std::min(hits.find('\x02'), hits.size());
    std::string_view item = hits.substr(0, end);
    hits.remove_prefix(std::min(end + 1, hits.size()));
    const size_t a = item.find('\x01');
    const size_t b = a == std::string_view::npos ? a : item.find('\x01', a + 1);
    if (b == std::string_view::npos) continue;
    auto& positions = at[std::string(item.substr(0, a))];
    std::string_view pos = item.substr(a + 1, b - a - 1), weights = item.substr(b + 1);
    size_t k = 0;
    while (!pos.empty()) {
      const size_t comma = std::min(pos.find(','), pos.size());
      int p = 0;
      for (char c : pos.substr(0, comma)) p = p * 10 + (c - '0');
      positions.emplace_back(p, k < weights.size() ? weights[k] : 'D');
      ++k;
      pos.remove_prefix(std::min(comma + 1, pos.size()));
    }
  }
  auto has = [&](const std::string& token, int pos, char weight) {
    auto it = at.find(token);
    if (it == at.end()) return false;
    for (const auto& [p, w] : it->second)
      if (p == pos && w == weight) return true;
    return false;
  };
  constexpr double k1 = 1.2, b = 0.75;
  const double d = double(size);
  double score = 0;
  for (size_t k = 0; k < phrases.size(); ++k) {
    const Phrase& ph = phrases[k];
    double freq = 0;
    if (!ph.tokens.empty()) {
      auto first = at.find(ph.tokens[0]);
      if (first != at.end()) {
        for (const auto& [p, w] : first->second) {
          if (w != ph.weight) continue;
          bool all = true;
          for (size_t t = 1; t < ph.tokens.size() && all; ++t) all = has(ph.tokens[t], p + int(t), ph.weight);
          if (all) freq += 1.0;
        }
      }
    }
    score += idf[k] * ((freq * (k1 + 1.0)) / (freq + k1 * (1 - b + b * d / avgdl)));
  }
  return -1.0 * score;
}

}  // namespace sluice::pg
