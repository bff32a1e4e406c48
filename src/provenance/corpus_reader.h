#pragma once
//! CorpusReader: streams the documents of a suspect dataset without loading whole files.
//! Formats, chosen by extension (after stripping .gz / .zst, which are decompressed on the fly):
//!   .jsonl / .ndjson   one JSON object per line; the document is its "text" field ("id" kept if present)
//!   .csv               a header row; the document is the column named "text" (or the first column
//!                      whose name contains "text"), RFC 4180 quoting, multi-line fields
//!   anything else      plain text: each line is a document (or, with whole_files, the whole file)
//! A malformed line (bad JSON, no text field, bad CSV quoting) is counted and skipped, never fatal.
//!
//! Details: lines end in '\n' with an optional '\r' before it; a UTF-8 BOM at the start is
//! dropped; blank lines are skipped (JSONL: whitespace-only too). JSONL "id" may be a string or
//! a number (its text as written); only top-level members count; any other "id" is "". A line
//! must hold exactly one object. Invalid UTF-8 inside a JSON string is kept, not malformed
//! (fingerprinting drops the bad bytes): a dataset is scanned as it was published. CSV: a header column named "id" (any case) gives the id; a row
//! with too few fields for the text column is malformed; a header without a text column is a
//! CommandError. Concatenated gzip members and zstd frames are read as one stream; data after
//! the last member that is not another member (e.g. zero padding) is a decompression error.
//! Memory: one 1 MiB line buffer (grown to fit the longest line) plus a 1 MiB input buffer for
//! compressed files, except with whole_files, which holds the whole decompressed file.

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
  uint64_t line = 0;      // 1-based line where the document (or CSV record) starts
};

//! ReadCorpus adds to these (never resets them), so one CorpusStats can total several files.

struct CorpusStats {
  uint64_t documents = 0;
  uint64_t malformed = 0;
  uint64_t bytes = 0;            // bytes read from the files (compressed size for .gz / .zst)
  uint64_t uncompressed_bytes = 0;
  std::string first_malformed;   // "FILE:LINE: why", for the report
};

struct CorpusOptions {
  bool whole_files = false;  // plain text: one document per file instead of per line (buffers
                             // the whole decompressed file in memory)
};

//! Reads `path` and calls `visit` for each document; stops early when `visit` returns false.
//! `progress(bytes_read_so_far)` is called every few MB (bytes of this file read from disk).
//! Fails only when the file cannot be opened or read, decompression fails (a CommandError
//! "FILE: why at offset N", N in compressed bytes), or a CSV header has no text column.
//! Documents visited before a failure stay visited, and `stats` counts them.
Status ReadCorpus(const std::string& path, const CorpusOptions& options,
                  const std::function<bool(const CorpusDocument&)>& visit, CorpusStats& stats,
                  const std::function<void(uint64_t)>& progress = nullptr);

}  // namespace sluice
