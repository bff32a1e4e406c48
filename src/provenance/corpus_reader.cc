#include "provenance/corpus_reader.h"

#include <algorithm>
#include <cctype>

#include "provenance/byte_source.h"
#include "provenance/csv_record.h"
#include "provenance/jsonl_line.h"

namespace sluice {
namespace {

enum class Format { kJsonl, kCsv, kPlain };

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Format FormatOf(const std::string& path) {
  std::string name = Lower(path);
  for (std::string_view z : {".gz", ".zst"}) {
    if (EndsWith(name, z)) name.resize(name.size() - z.size());
  }
  if (EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson")) return Format::kJsonl;
  if (EndsWith(name, ".csv")) return Format::kCsv;
  return Format::kPlain;
}

void StripBom(std::string_view& line, uint64_t line_number) {
  if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Counts a malformed record; the first one is kept for the report.
void Malformed(CorpusStats& stats, const std::string& path, uint64_t line, std::string_view why) {
  ++stats.malformed;
  if (stats.first_malformed.empty()) {
    stats.first_malformed = path + ":" + std::to_string(line) + ": " + std::string(why);
  }
}

using Visit = std::function<bool(const CorpusDocument&)>;

// Reads runs of buffered lines rather than line by line: a flat object's parse finds where
// its line ends, so most lines are never searched for their '\n' first.
Status ReadJsonl(const std::string& path, LineReader& lines, const Visit& visit,
                 CorpusStats& stats) {
  JsonlLineParser parser;
  std::string why;
  uint64_t line_number = 0;
  for (;;) {
    std::string_view run;
    bool has_lines = false;
    if (Status s = lines.NextLines(run, has_lines); !s.ok()) return s;
    if (!has_lines) return Status::Ok();
    while (!run.empty()) {
      ++line_number;
      StripBom(run, line_number);
      CorpusDocument doc;
      size_t length = 0;
      if (!parser.ParseFlatLine(run, doc.text, doc.id, length)) {
        // Any other line: cut at its '\n' (every line of the run has one), one '\r' before it
        // dropped, as LineReader::Next gives it.
        length = run.find('\n') + 1;
        std::string_view line = run.substr(0, length - 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (IsBlank(line)) {
          run.remove_prefix(length);
          continue;
        }
        if (!parser.Parse(line, doc.text, doc.id, why)) {
          Malformed(stats, path, line_number, why);
          run.remove_prefix(length);
          continue;
        }
      }
      run.remove_prefix(length);
      doc.file = path;
      doc.line = line_number;
      ++stats.documents;
      if (!visit(doc)) return Status::Ok();
    }
  }
}

// "text" exactly, else the first header containing "text" in any case; -1 when none.
int TextColumn(const CsvRecord& header) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header.field(i) == "text") return int(i);
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (Lower(header.field(i)).find("text") != std::string::npos) return int(i);
  }
  return -1;
}

int IdColumn(const CsvRecord& header) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (Lower(header.field(i)) == "id") return int(i);
  }
  return -1;
}

Status ReadCsv(const std::string& path, LineReader& lines, const Visit& visit,
               CorpusStats& stats) {
  CsvRecord record;
  bool have_header = false;
  int text_col = -1;
  int id_col = -1;
  uint64_t record_line = 0;
  bool in_record = false;
  for (;;) {
    std::string_view line;
    bool has_line = false;
    if (Status s = lines.Next(line, has_line); !s.ok()) return s;
    if (!has_line) {
      if (in_record) Malformed(stats, path, record_line, "unterminated quoted CSV field");
      break;
    }
    StripBom(line, lines.line_number());
    if (!in_record) {
      if (line.empty()) continue;
      record.Begin();
      record_line = lines.line_number();
    }
    CsvRecord::State state = record.Feed(line);
    if (state == CsvRecord::State::kNeedMore) {
      in_record = true;
      continue;
    }
    in_record = false;
    if (state == CsvRecord::State::kBadQuote) {
      Malformed(stats, path, record_line, "bad CSV quoting");
      continue;
    }
    if (!have_header) {
      have_header = true;
      text_col = TextColumn(record);
      id_col = IdColumn(record);
      if (text_col < 0) {
        return CommandError(path + ": no text column in the CSV header (want \"text\" or a "
                                   "column whose name contains \"text\")");
      }
      continue;
    }
    if (record.size() <= size_t(text_col)) {
      Malformed(stats, path, record_line,
                "row has " + std::to_string(record.size()) + " fields, the text column is " +
                    std::to_string(text_col + 1));
      continue;
    }
    CorpusDocument doc;
    doc.text = record.field(size_t(text_col));
    if (id_col >= 0 && record.size() > size_t(id_col)) doc.id = record.field(size_t(id_col));
    doc.file = path;
    doc.line = record_line;
    ++stats.documents;
    if (!visit(doc)) return Status::Ok();
  }
  if (!have_header) return CommandError(path + ": empty CSV file (no header row)");
  return Status::Ok();
}

Status ReadPlainLines(const std::string& path, LineReader& lines, const Visit& visit,
                      CorpusStats& stats) {
  for (;;) {
    std::string_view line;
    bool has_line = false;
    if (Status s = lines.Next(line, has_line); !s.ok()) return s;
    if (!has_line) return Status::Ok();
    StripBom(line, lines.line_number());
    if (line.empty()) continue;
    CorpusDocument doc;
    doc.text = line;
    doc.file = path;
    doc.line = lines.line_number();
    ++stats.documents;
    if (!visit(doc)) return Status::Ok();
  }
}

}  // namespace

Status ReadCorpus(const std::string& path, const CorpusOptions& options,
                  const std::function<bool(const CorpusDocument&)>& visit, CorpusStats& stats,
                  const std::function<void(uint64_t)>& progress) {
  auto opened = OpenByteSource(path);
  if (!opened.ok()) return opened.status();
  ByteSource& source = **opened;
  Format format = FormatOf(path);

  if (format == Format::kPlain && options.whole_files) {
    // The one buffered case: the document is the whole decompressed file.
    std::string text;
    Status s = ReadAll(source, text, stats.uncompressed_bytes);
    stats.bytes += source.disk_bytes();
    if (progress) progress(source.disk_bytes());
    if (!s.ok()) return s;
    std::string_view view = text;
    StripBom(view, 1);
    if (view.empty()) return Status::Ok();
    CorpusDocument doc;
    doc.text = view;
    doc.file = path;
    doc.line = 1;
    ++stats.documents;
    (void)visit(doc);
    return Status::Ok();
  }

  LineReader lines(source, progress);
  Status s;
  switch (format) {
    case Format::kJsonl: s = ReadJsonl(path, lines, visit, stats); break;
    case Format::kCsv: s = ReadCsv(path, lines, visit, stats); break;
    case Format::kPlain: s = ReadPlainLines(path, lines, visit, stats); break;
  }
  stats.bytes += source.disk_bytes();
  stats.uncompressed_bytes += lines.uncompressed_bytes();
  return s;
}

}  // namespace sluice
