#pragma once
//! CorpusReader: streams the documents of a suspect dataset without loading whole files.
//! Formats, chosen by extension (after stripping .gz / .zst, which are decompressed on the fly):
//!   .jsonl / .ndjson   one JSON object per line; the document is its "text" field ("id" kept if present)
//!   .csv               a header row; the document is the column named "text" (or the first column
//!                      whose name contains "text"), RFC 4180 quoting, multi-line fields
//!   anything else      plain text: each line is a document (or, with whole_files, the whole file)
//! A malformed line (bad JSON, no text field, bad CSV quoting) is counted and skipped, never fatal.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sluice {

struct CorpusDocument {
  std::string_view text;  // valid until the next document
  std::string_view id;    // "" when the format has none
  std::string_view file;
  uint64_t line = 0;      // 1-based line (or record) where the document starts
};

struct CorpusStats {
  uint64_t documents = 0;
  uint64_t malformed = 0;
  uint64_t bytes = 0;            // bytes read from the files (compressed size for .gz / .zst)
  uint64_t uncompressed_bytes = 0;
  std::string first_malformed;   // "FILE:LINE: why", for the report
};

struct CorpusOptions {
  bool whole_files = false;  // plain text: one document per file instead of per line
};

//! Reads `path` and calls `visit` for each document; stops early when `visit` returns false.
//! `progress(bytes_read_so_far)` is called every few MB. Fails only when the file cannot be
//! opened or decompression fails (a CommandError naming the file and offset).
Status ReadCorpus(const std::string& path, const CorpusOptions& options,
                  const std::function<bool(const CorpusDocument&)>& visit, CorpusStats& stats,
                  const std::function<void(uint64_t)>& progress = nullptr);

}  // namespace sluice
