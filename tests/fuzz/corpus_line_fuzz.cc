// Feeds arbitrary bytes, split at '\n', to the two corpus line parsers:
//  - JsonlLineParser (one parser reused for every line, as the corpus reader does): a success
//    must agree with Boost.JSON's DOM parser (an object whose last "text" member is a string:
//    the same text; a string "id": the same id), a failure must say why and agree too; returned
//    views lie wholly inside the line or wholly outside it (in the parser's buffers), and are
//    read in full so that the address sanitizer sees a dangling one.
//  - JsonlLineParser::ParseFlatLine on the input's lines as one run: a success is its line's
//    and agrees with Parse.
//  - CsvRecord (records spanning lines while a quoted field is open): a line without quotes
//    splits at every ','; a complete record, written back with every field quoted, parses to
//    the same fields; a record only goes wrong on a quote.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "provenance/csv_record.h"
#include "provenance/jsonl_line.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view line) {
  std::fprintf(stderr, "corpus_line_fuzz: %s\nline (%zu bytes):", what, line.size());
  for (unsigned char b : line) std::fprintf(stderr, " %02X", b);
  std::fprintf(stderr, "\n");
  __builtin_trap();
}

std::vector<std::string_view> SplitLines(std::string_view data) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i <= data.size(); ++i) {
    if (i == data.size() || data[i] == '\n') {
      lines.push_back(data.substr(start, i - start));
      start = i + 1;
    }
  }
  return lines;
}

// Wholly inside `outer`, or not overlapping it at all.
bool InsideOrApart(std::string_view view, std::string_view outer) {
  std::less<const char*> before;
  const char* b = view.data();
  const char* e = view.data() + view.size();
  const char* ob = outer.data();
  const char* oe = outer.data() + outer.size();
  if (view.empty()) return true;
  const bool inside = !before(b, ob) && !before(oe, e);
  const bool apart = !before(ob, e) || !before(b, oe);
  return inside || apart;
}

// Touches every byte, so that ASan reports a view into freed or foreign memory.
size_t Touch(std::string_view s) {
  size_t sum = 0;
  for (char c : s) sum += static_cast<unsigned char>(c);
  return sum;
}

volatile size_t g_sink;

void CheckJsonl(sluice::JsonlLineParser& parser, std::string_view line) {
  std::string_view text, id;
  std::string why;
  const bool ok = parser.Parse(line, text, id, why);

  boost::json::error_code ec;
  boost::json::parse_options options;
  options.allow_invalid_utf8 = true;  // as JsonlLineParser
  const boost::json::value dom =
      boost::json::parse(boost::json::string_view(line.data(), line.size()), ec, {}, options);
  const boost::json::object* obj = !ec ? dom.if_object() : nullptr;
  const boost::json::value* dom_text = obj ? obj->if_contains("text") : nullptr;
  const bool dom_ok = dom_text && dom_text->is_string();

  if (!ok) {
    if (why.empty()) Fail("JSONL: a failure without a reason", line);
    if (dom_ok) Fail("JSONL: Parse failed where the DOM parser found a string \"text\"", line);
    return;
  }
  if (!dom_ok) Fail("JSONL: Parse succeeded where the DOM parser found no string \"text\"", line);
  if (!InsideOrApart(text, line) || !InsideOrApart(id, line)) Fail("JSONL: a view straddles the line", line);
  g_sink = Touch(text) + Touch(id);
  const boost::json::string& want = dom_text->get_string();
  if (text != std::string_view(want.data(), want.size())) Fail("JSONL: text differs from the DOM parser's", line);
  const boost::json::value* dom_id = obj->if_contains("id");
  if (dom_id && dom_id->is_string()) {
    const boost::json::string& want_id = dom_id->get_string();
    if (id != std::string_view(want_id.data(), want_id.size())) Fail("JSONL: id differs from the DOM parser's", line);
  } else if (dom_id && dom_id->is_number()) {
    if (id.empty()) Fail("JSONL: a number id gave no text", line);
  } else if (!id.empty()) {
    Fail("JSONL: an id that is absent or not a string or number gave text", line);
  }
}

std::vector<std::string> Fields(const sluice::CsvRecord& record) {
  std::vector<std::string> out;
  for (size_t i = 0; i < record.size(); ++i) out.emplace_back(record.field(i));
  return out;
}

// Every field quoted, quotes doubled; the record's lines (a field may hold '\n').
std::vector<std::string> WriteCsv(const std::vector<std::string>& fields) {
  std::string text;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text += ',';
    text += '"';
    for (char c : fields[i]) text += c == '"' ? std::string("\"\"") : std::string(1, c);
    text += '"';
  }
  std::vector<std::string> lines;
  for (std::string_view l : SplitLines(text)) lines.emplace_back(l);
  return lines;
}

void CheckCsvRoundTrip(const std::vector<std::string>& fields, std::string_view line) {
  sluice::CsvRecord again;
  again.Begin();
  const std::vector<std::string> lines = WriteCsv(fields);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto state = again.Feed(lines[i]);
    const auto want = i + 1 == lines.size() ? sluice::CsvRecord::State::kDone : sluice::CsvRecord::State::kNeedMore;
    if (state != want) Fail("CSV: the written-back record does not parse back", line);
  }
  if (Fields(again) != fields) Fail("CSV: the written-back record gives other fields", line);
}

void CheckCsv(const std::vector<std::string_view>& lines) {
  sluice::CsvRecord record;
  bool in_record = false;
  bool saw_quote = false;
  size_t fed = 0;  // bytes fed to this record, line breaks included
  for (std::string_view line : lines) {
    if (!in_record) {
      record.Begin();
      saw_quote = false;
      fed = 0;
    }
    const auto state = record.Feed(line);
    saw_quote = saw_quote || line.find('"') != std::string_view::npos;
    fed += line.size() + 1;
    if (record.size() == 0) Fail("CSV: a record without fields", line);
    size_t total = 0;
    for (size_t i = 0; i < record.size(); ++i) {
      g_sink = Touch(record.field(i));
      total += record.field(i).size();
    }
    if (total > fed) Fail("CSV: fields longer than their input", line);
    if (state == sluice::CsvRecord::State::kNeedMore) {
      if (!saw_quote) Fail("CSV: more lines wanted without a quote", line);
      in_record = true;
      continue;
    }
    in_record = false;
    if (state == sluice::CsvRecord::State::kBadQuote) {
      if (!saw_quote) Fail("CSV: a bad quote without a quote", line);
      continue;
    }
    if (!saw_quote) {
      // Plain: the fields are the line split at every ','.
      std::vector<std::string> want;
      size_t start = 0;
      for (size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == ',') {
          want.emplace_back(line.substr(start, i - start));
          start = i + 1;
        }
      }
      if (Fields(record) != want) Fail("CSV: an unquoted line not split at its commas", line);
    }
    CheckCsvRoundTrip(Fields(record), line);
  }
}

// ParseFlatLine on the lines from `line` on (each ending in '\n'): a success must be the
// line's own, what Parse says of it, and `length` the line's with its '\n'.
void CheckFlatLine(sluice::JsonlLineParser& parser, std::string_view line, std::string_view from_line_on) {
  std::string_view text, id;
  size_t length = 0;
  if (!parser.ParseFlatLine(from_line_on, text, id, length)) return;
  if (length != line.size() + 1) Fail("JSONL: ParseFlatLine's length is not its line's", line);
  if (!InsideOrApart(text, line) || !InsideOrApart(id, line)) Fail("JSONL: a flat line's view outside it", line);
  const std::string text_fast(text), id_fast(id);
  std::string_view want_text, want_id;
  std::string why;
  std::string_view trimmed = line;
  if (!trimmed.empty() && trimmed.back() == '\r') trimmed.remove_suffix(1);  // as LineReader gives it
  if (!parser.Parse(trimmed, want_text, want_id, why)) Fail("JSONL: ParseFlatLine took a line Parse refuses", line);
  if (text_fast != want_text || id_fast != want_id) Fail("JSONL: ParseFlatLine and Parse differ", line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> lines = SplitLines(input);
  sluice::JsonlLineParser parser;
  for (std::string_view line : lines) CheckJsonl(parser, line);
  const std::string terminated = std::string(input) + "\n";
  for (size_t start = 0; std::string_view line : SplitLines(terminated)) {
    if (start >= terminated.size()) break;  // the empty piece after the last '\n'
    CheckFlatLine(parser, line, std::string_view(terminated).substr(start));
    start += line.size() + 1;
  }
  CheckCsv(lines);
  return 0;
}
