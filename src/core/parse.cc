#include "core/parse.h"

namespace sluice {

std::string RangeText(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max()) {
    if (min == 0) return "must not be negative";
    if (min == 1) return "must be positive";
    return "must be at least " + std::to_string(min);
  }
  return "must be " + std::to_string(min) + ".." + std::to_string(max);
}

std::vector<std::string_view> SplitCommaList(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const size_t comma = text.find(',');
    items.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace sluice
