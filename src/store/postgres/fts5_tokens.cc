#include "store/postgres/fts5_tokens.h"

#include <sqlite3.h>

namespace sluice::pg {

namespace {

// One in-memory SQLite connection and one unicode61 tokenizer per thread: FTS5's tokenizer
// keeps a buffer between calls.
class Tokenizer {
 public:
  Tokenizer() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) return;
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
      sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    if (!api) return;
    void* user = nullptr;
    if (api->xFindTokenizer(api, "unicode61", &user, &module_) != SQLITE_OK) return;
    const char* args[] = {"remove_diacritics", "2"};
    if (module_.xCreate(user, args, 2, &tok_) != SQLITE_OK) tok_ = nullptr;
  }
  ~Tokenizer() {
    if (tok_) module_.xDelete(tok_);
    sqlite3_close(db_);
  }

  std::vector<std::string> Tokens(std::string_view text) {
    std::vector<std::string> out;
    if (!tok_ || text.empty()) return out;
    module_.xTokenize(tok_, &out, FTS5_TOKENIZE_DOCUMENT, text.data(), int(text.size()),
                      [](void* ctx, int, const char* token, int n, int, int) {
                        static_cast<std::vector<std::string>*>(ctx)->emplace_back(token, size_t(n));
                        return SQLITE_OK;
                      });
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  fts5_tokenizer module_{};
  Fts5Tokenizer* tok_ = nullptr;
};

}  // namespace

std::vector<std::string> Fts5Tokens(std::string_view text) {
  thread_local Tokenizer tokenizer;
  return tokenizer.Tokens(text);
}

}  // namespace sluice::pg
