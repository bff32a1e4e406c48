#include "api/metrics.h"

#include "ledger/ledger.h"

namespace sluice {

void Metrics::CountRequest(std::optional<RouteId> route, int status) {
  int slot = (status >= kMinStatus && status < kMinStatus + kStatuses ? status : kMinStatus + kStatuses - 1) - kMinStatus;
  Add(requests_[route ? size_t(*route) : kRouteCount][size_t(slot)]);
}

std::string_view Metrics::StreamEndName(StreamEnd why) {
  static constexpr std::string_view kNames[] = {"client_closed", "ended", "slow_reader", "send_timeout", "draining"};
  static_assert(std::size(kNames) == size_t(StreamEnd::kCount));
  return kNames[size_t(why)];
}

void Metrics::WaitBegan() {
  int64_t now = waiting_.fetch_add(1, std::memory_order_relaxed) + 1;
  int64_t max = waiting_max_.load(std::memory_order_relaxed);
  while (now > max && !waiting_max_.compare_exchange_weak(max, now, std::memory_order_relaxed)) {
  }
}

std::string Metrics::Render(const Ledger* ledger) const {
  auto n = [](const Counter& c) { return std::to_string(c.load(std::memory_order_relaxed)); };
  std::string out;
  out += "# HELP sluice_requests_total Responses by route and status.\n# TYPE sluice_requests_total counter\n";
  for (size_t r = 0; r <= kRouteCount; ++r) {
    std::string_view route = r < kRouteCount ? EndpointName(RouteId(r)) : "unmatched";
    for (int i = 0; i < kStatuses; ++i) {
      uint64_t count = requests_[r][size_t(i)].load(std::memory_order_relaxed);
      if (count == 0) continue;
      out += "sluice_requests_total{route=\"" + std::string(route) + "\",status=\"" + std::to_string(kMinStatus + i) +
             "\"} " + std::to_string(count) + "\n";
    }
  }
  out += "# HELP sluice_admitted_total Requests the metering stages admitted.\n# TYPE sluice_admitted_total counter\n";
  out += "sluice_admitted_total " + n(admitted_) + "\n";
  out += "# HELP sluice_stream_posts_total Posts the metering stages admitted onto open streams.\n"
         "# TYPE sluice_stream_posts_total counter\n";
  out += "sluice_stream_posts_total " + n(streamed_posts_) + "\n";
  out += "# HELP sluice_refused_total Requests the stages refused, by reason.\n# TYPE sluice_refused_total counter\n";
  for (size_t i = 1; i < refused_.size(); ++i)
    out += "sluice_refused_total{reason=\"" + std::string(RefusalName(Refusal(i))) + "\"} " + n(refused_[i]) + "\n";
  out += "# HELP sluice_lookup_cache_total GET /2/tweets/:id served from a worker's cache of rendered lookups, or rendered.\n"
         "# TYPE sluice_lookup_cache_total counter\n";
  out += "sluice_lookup_cache_total{result=\"hit\"} " + n(lookup_hits_) + "\n";
  out += "sluice_lookup_cache_total{result=\"miss\"} " + n(lookup_misses_) + "\n";
  out += "# HELP sluice_connections_total Connections accepted, closed at once over server.max_connections, failed accepts, "
         "and connections closed past a deadline.\n"
         "# TYPE sluice_connections_total counter\n";
  static constexpr const char* kOutcomes[] = {"accepted", "over_cap", "accept_failed", "timed_out"};
  static_assert(std::size(kOutcomes) == size_t(Connection::kCount));
  for (size_t i = 0; i < std::size(kOutcomes); ++i)
    out += std::string("sluice_connections_total{outcome=\"") + kOutcomes[i] + "\"} " + n(connections_[i]) + "\n";
  out += "# HELP sluice_requests_waiting Requests a stage holds waiting (a timer, the ledger's sync), now.\n"
         "# TYPE sluice_requests_waiting gauge\n";
  out += "sluice_requests_waiting " + std::to_string(waiting_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP sluice_requests_waiting_max The most requests ever waiting at once.\n# TYPE sluice_requests_waiting_max gauge\n";
  out += "sluice_requests_waiting_max " + std::to_string(waiting_max_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP sluice_streams_open Streaming responses open now (connections sending a stream).\n"
         "# TYPE sluice_streams_open gauge\n";
  out += "sluice_streams_open " + std::to_string(streams_open_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP sluice_stream_disconnects_total Streams ended, by reason: the client closed, the server ended it, "
         "its reader was too slow (past server.stream_buffer_bytes), took nothing for server.send_timeout_ms, or the "
         "server drained.\n# TYPE sluice_stream_disconnects_total counter\n";
  for (size_t i = 0; i < size_t(StreamEnd::kCount); ++i)
    out += "sluice_stream_disconnects_total{reason=\"" + std::string(StreamEndName(StreamEnd(i))) + "\"} " +
           n(stream_ends_[i]) + "\n";
  if (ledger) {
    uint64_t appended = ledger->AppendedSize(), durable = ledger->DurableSize();
    out += "# HELP sluice_ledger_records Records appended and durable.\n# TYPE sluice_ledger_records gauge\n";
    out += "sluice_ledger_records{state=\"appended\"} " + std::to_string(appended) + "\n";
    out += "sluice_ledger_records{state=\"durable\"} " + std::to_string(durable) + "\n";
    out += "# HELP sluice_ledger_lag_records Records appended but not yet durable.\n# TYPE sluice_ledger_lag_records gauge\n";
    out += "sluice_ledger_lag_records " + std::to_string(appended - std::min(appended, durable)) + "\n";
  }
  return out;
}

}  // namespace sluice
