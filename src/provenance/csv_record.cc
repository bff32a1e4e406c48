#include "provenance/csv_record.h"

namespace sluice {

void CsvRecord::Begin() {
  count_ = 0;
  in_quotes_ = false;
  NewField();
}

void CsvRecord::NewField() {
  ++count_;
  if (fields_.size() < count_) {
    fields_.emplace_back();
  } else {
    fields_[count_ - 1].clear();
  }
  after_quote_ = false;
  field_start_ = true;
}

CsvRecord::State CsvRecord::Feed(std::string_view line) {
  if (in_quotes_) current().push_back('\n');  // the line break belongs to the quoted field
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    if (in_quotes_) {
      size_t quote = line.find('"', i);
      if (quote == std::string_view::npos) {
        current().append(line.substr(i));
        return State::kNeedMore;
      }
      current().append(line.substr(i, quote - i));
      if (quote + 1 < n && line[quote + 1] == '"') {  // "" is an escaped quote
        current().push_back('"');
        i = quote + 2;
      } else {
        in_quotes_ = false;
        after_quote_ = true;
        i = quote + 1;
      }
      continue;
    }
    char c = line[i];
    if (c == ',') {
      NewField();
      ++i;
      continue;
    }
    if (after_quote_) return State::kBadQuote;
    if (c == '"' && field_start_) {
      in_quotes_ = true;
      field_start_ = false;
      ++i;
      continue;
    }
    size_t stop = line.find(',', i);
    if (stop == std::string_view::npos) stop = n;
    current().append(line.substr(i, stop - i));
    field_start_ = false;
    i = stop;
  }
  return in_quotes_ ? State::kNeedMore : State::kDone;
}

}  // namespace sluice
