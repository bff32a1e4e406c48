#pragma once
//! StreamConnection: one open stream (filtered or sample) on its worker. It takes the hub's
//! events in order, one at a time: renders the post with the connection's fields and
//! expansions (and, for a filtered stream, `matching_rules`), then runs it through the
//! delivery stages (StreamDeliveryStages: cap and credits, record), the same stages a search
//! page's posts go through, so every streamed post is metered, capped, billed and ledgered like
//! a search result; a trap record is put before a post now and then, as in a page. Only then is
//! the line sent. A refusal (the cap, credits) ends the stream with its problem as the last line.
//! Everything here runs on the connection's worker.

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "api/exchange.h"
#include "api/fields.h"
#include "api/stream_hub.h"
#include "api/stream_sink.h"

namespace sluice {

//! The stages a streamed post goes through: cap and credits (a meter; shared counters when
//! present), then record (a ledger). Null when there is none (no meter and no ledger).
std::unique_ptr<Chain> StreamDeliveryStages(const Services& services);

//! A problem response (ProblemResponse) as a stream's line: X sends an error inside a stream as
//! {"errors":[problem]}.
std::string ErrorLine(const ApiResponse& problem);

class StreamConnection final : public StreamHub::Subscriber, public std::enable_shared_from_this<StreamConnection> {
 public:
  struct Options {
    StreamFeed feed = StreamFeed::kFiltered;
    RouteId route = RouteId::kSearchStream;
    App app;
    const Plan* plan = nullptr;
    FieldSelection fields;
    std::string query;       // the connection's query string, for its records
    std::string request_id;
    int backfill_minutes = 0;
    int partition = 0;  // compliance streams: the partition it takes (1..kCompliancePartitions)
  };
  //! Events queued past this many (a delivery waiting on Redis, a flood of matches) end the
  //! stream as too slow, as a full send buffer does.
  static constexpr size_t kMaxQueuedEvents = 10'000;

  StreamConnection(const Services& services, WorkerState& worker, Options options);
  ~StreamConnection() override;

  //! Joins the hub (the connection limit: false when the app has its plan's number of
  //! connections open already, on this node or, with slots, on any). Events that come before
  //! Open wait for it. An error: the store could not count the slots.
  Result<bool> Subscribe(StreamHub& hub, int max_connections);
  //! The response's headers are sent: from now on lines go to `sink`. Backfill first.
  void Open(std::shared_ptr<StreamSink> sink);

  void OnEvent(StreamEvent event) override;

 private:
  void Next();
  void Deliver(StreamEvent event);
  //! A compliance stream's event: its notice record, durable, then its line.
  void DeliverNotice(StreamEvent event);
  void Finish(std::string last_line);
  //! Leaves the hub and frees the slot (once).
  void Leave();
  void Backfill();

  const Services& services_;
  WorkerState& worker_;
  const Options options_;
  StreamHub* hub_ = nullptr;
  uint64_t handle_ = 0;
  std::string slot_;  // the store slot's holder, with the hub's slots
  std::shared_ptr<StreamSink> sink_;  // set by Open; reset when the stream closes
  std::deque<StreamEvent> queue_;
  bool busy_ = false;    // a delivery is in the stages
  bool closed_ = false;
  std::shared_ptr<const StoredPost> last_sent_;  // the newest post sent: a trap goes between it and the next
  //! A trap record to send before `event` (its rules', or none for the sample), if one is drawn.
  std::optional<StreamEvent> MaybeTrap(const StreamEvent& event);
  std::string method_ = "GET", path_;  // the views of the records' request
};

}  // namespace sluice
