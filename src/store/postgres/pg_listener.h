#pragma once
//! PostChangeListener: LISTEN on PostgreSQL's sluice_posts channel, where the transaction that
//! applies a post's publication or deletion (PostgresStore::ApplyIntentTx) sends a NOTIFY, so
//! every node learns of each change as it commits. One connection and one thread of its own;
//! a lost connection is re-opened (1 s apart) and logged: changes committed meanwhile are not
//! seen (a stream's backfill_minutes recovers them for a reconnecting client).

#include <libpq-fe.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "store/store.h"

namespace sluice::pg {

inline constexpr const char* kPostChangesChannel = "sluice_posts";

//! The NOTIFY payload of a change: "p:<id>:<at>" (published) or "d:<id>:<at>" (deleted).
std::string PostChangePayload(const PostChange& change);
std::optional<PostChange> ParsePostChangePayload(std::string_view payload);

class PostChangeListener final : public ChangeFeed {
 public:
  //! Connects and LISTENs before returning (a change committed after it returns is seen).
  static Result<std::unique_ptr<PostChangeListener>> Start(const std::string& url,
                                                           std::function<void(const PostChange&)> on_change);
  ~PostChangeListener() override;

 private:
  PostChangeListener(std::string url, std::function<void(const PostChange&)> on_change)
      : url_(std::move(url)), on_change_(std::move(on_change)) {}
  Status Connect();
  void Run();

  const std::string url_;
  const std::function<void(const PostChange&)> on_change_;
  PGconn* conn_ = nullptr;  // the thread's once it runs
  std::atomic<bool> stop_{false};
  int wake_[2] = {-1, -1};  // a pipe: the destructor's write wakes the thread's poll
  std::thread thread_;
};

}  // namespace sluice::pg
