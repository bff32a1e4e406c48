#include "store/postgres/pg_listener.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>

#include "core/parse.h"

namespace sluice::pg {

std::string PostChangePayload(const PostChange& change) {
  return std::string(change.deleted ? "d:" : "p:") + std::to_string(change.post_id) + ":" + std::to_string(change.at);
}

std::optional<PostChange> ParsePostChangePayload(std::string_view payload) {
  if (payload.size() < 5 || (payload[0] != 'p' && payload[0] != 'd') || payload[1] != ':') return std::nullopt;
  const size_t colon = payload.find(':', 2);
  if (colon == std::string_view::npos) return std::nullopt;
  auto id = ParseInt<int64_t>(payload.substr(2, colon - 2), 1, INT64_MAX);
  auto at = ParseInt<int64_t>(payload.substr(colon + 1), 0, INT64_MAX);
  if (!id.ok() || !at.ok()) return std::nullopt;
  return PostChange{Id(id.value), payload[0] == 'd', TimeMs(at.value)};
}

Result<std::unique_ptr<PostChangeListener>> PostChangeListener::Start(const std::string& url,
                                                                      std::function<void(const PostChange&)> on_change) {
  std::unique_ptr<PostChangeListener> l(new PostChangeListener(url, std::move(on_change)));
  if (pipe(l->wake_) != 0) return IOError("pipe for the post change listener failed");
  if (Status s = l->Connect(); !s.ok()) return s;
  l->thread_ = std::thread([p = l.get()] { p->Run(); });
  return l;
}

PostChangeListener::~PostChangeListener() {
  stop_ = true;
  if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  if (conn_) PQfinish(conn_);
  for (int fd : wake_)
    if (fd >= 0) close(fd);
}

Status PostChangeListener::Connect() {
  if (conn_) PQfinish(conn_);
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"5", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(conn_) != CONNECTION_OK)
    return ServiceUnavailable(std::string("PostgreSQL: the post change listener cannot connect: ") + PQerrorMessage(conn_), 1);
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn_, (std::string("LISTEN ") + kPostChangesChannel).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    // Not listening: no connection at all, so that Run opens another rather than wait on this one.
    Status failed = ServiceUnavailable(std::string("PostgreSQL: LISTEN failed: ") + PQerrorMessage(conn_), 1);
    PQfinish(conn_);
    conn_ = nullptr;
    return failed;
  }
  return Status::Ok();
}

void PostChangeListener::Run() {
  bool logged_loss = false;
  while (!stop_) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      if (!logged_loss) spdlog::warn("post change listener: connection lost; re-opening (changes meanwhile are missed)");
      logged_loss = true;
      if (Status s = Connect(); !s.ok()) {
        pollfd w{wake_[0], POLLIN, 0};
        poll(&w, 1, 1000);
        continue;
      }
      spdlog::info("post change listener: listening again");
      logged_loss = false;
    }
    pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, 1000) < 0) continue;
    if (fds[1].revents) break;
    if (!fds[0].revents) continue;
    if (!PQconsumeInput(conn_)) {
      // The connection broke: the next turn opens a new one and LISTENs on it.
      PQfinish(conn_);
      conn_ = nullptr;
      continue;
    }
    while (PGnotify* n = PQnotifies(conn_)) {
      if (auto change = ParsePostChangePayload(n->extra)) {
        try {
          on_change_(*change);
        } catch (const std::exception& e) {
          spdlog::error("post change listener: post {}: {}", change->post_id, e.what());
        }
      }
      PQfreemem(n);
    }
  }
}

}  // namespace sluice::pg
