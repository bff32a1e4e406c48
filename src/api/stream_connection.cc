#include "api/stream_connection.h"

#include <spdlog/spdlog.h>

#include <map>
#include <unordered_map>

#include "api/budget.h"
#include "api/compliance.h"
#include "api/render.h"
#include "api/shared_admission.h"
#include "api/stages.h"
#include "api/stream_slots.h"
#include "api/trap_injector.h"
#include "ledger/ledger.h"
#include "core/json_writer.h"

namespace sluice {

std::unique_ptr<Chain> StreamDeliveryStages(const Services& s) {
  std::vector<std::unique_ptr<Stage>> stages;
  if (s.meter && s.counters) stages.push_back(std::make_unique<SharedCapStage>(*s.counters, *s.meter));
  else if (s.meter) stages.push_back(std::make_unique<CapStage>(*s.meter));
  if (s.ledger) stages.push_back(std::make_unique<RecordStage>(*s.ledger));
  if (stages.empty()) return nullptr;
  return std::make_unique<Chain>(std::move(stages));
}

namespace {

// `body`, a JSON object, with `member` ("\"name\":value") added as its last member.
void AppendMember(std::string& body, std::string_view member) {
  if (body.size() < 2 || body.back() != '}') return;
  body.pop_back();
  if (body.back() != '{') body += ',';
  body += member;
  body += '}';
}

std::string MatchingRules(const std::vector<const IndexedRule*>& rules) {
  JsonWriter w;
  w.Key("matching_rules");
  w.BeginArray();
  for (const IndexedRule* r : rules) {
    w.BeginObject();
    w.Member("id", std::to_string(r->rule_id));
    w.Member("tag", r->tag);
    w.EndObject();
  }
  w.EndArray();
  return w.str();
}

}  // namespace

std::string ErrorLine(const ApiResponse& problem) { return "{\"errors\":[" + problem.body + "]}\r\n"; }

StreamConnection::StreamConnection(const Services& services, WorkerState& worker, Options options)
    : services_(services), worker_(worker), options_(std::move(options)), path_(EndpointName(options_.route).substr(4)) {}

StreamConnection::~StreamConnection() { Leave(); }

void StreamConnection::Leave() {
  if (hub_ && handle_) hub_->Unsubscribe(handle_);
  handle_ = 0;
  if (hub_ && hub_->slots() && !slot_.empty()) hub_->slots()->Release(std::move(slot_));
  slot_.clear();
}

Result<bool> StreamConnection::Subscribe(StreamHub& hub, int max_connections) {
  handle_ = hub.Subscribe({options_.feed, options_.app.id, &worker_.executor, weak_from_this()}, max_connections);
  if (!handle_) return false;
  hub_ = &hub;
  if (StreamSlots* slots = hub.slots()) {
    auto slot = slots->Take(worker_.store, options_.app.id, options_.feed, max_connections);
    if (!slot.ok() || slot->empty()) {
      Leave();
      if (!slot.ok()) return slot.status();
      return false;
    }
    slot_ = std::move(*slot);
  }
  return true;
}

void StreamConnection::Open(std::shared_ptr<StreamSink> sink) {
  sink_ = std::move(sink);
  sink_->OnClose([self = shared_from_this()] {
    // The stream is over (the client went, it was too slow, the server drains): leave the hub
    // and drop the sink, which holds this function (and so this connection) alive.
    self->closed_ = true;
    self->Leave();
    self->queue_.clear();
    self->sink_.reset();
  });
  if (closed_) return;
  Backfill();
  Next();
}

void StreamConnection::OnEvent(StreamEvent event) {
  if (closed_) return;
  if ((options_.feed == StreamFeed::kPostCompliance || options_.feed == StreamFeed::kUserCompliance) &&
      CompliancePartition(CompliancePartitionKey(event)) != options_.partition)
    return;
  if (queue_.size() >= kMaxQueuedEvents) {
    spdlog::info("stream of app {} ({}): {} events behind, disconnected", options_.app.id, options_.request_id,
                 queue_.size());
    return Finish(ErrorLine(services_.error_response(StreamTooSlow())));
  }
  queue_.push_back(std::move(event));
  Next();
}

void StreamConnection::Backfill() {
  // backfill_minutes: the posts of the last minutes before the connection that the app's rules
  // match, oldest first, before the live ones; a reconnecting client gets what it missed (and
  // may get some twice, as on X). Each rule is a search over the window (the store's index),
  // not a scan of every post; a post matched by several rules is sent once, with all of them.
  if (options_.feed != StreamFeed::kFiltered || options_.backfill_minutes <= 0 || !hub_) return;
  const TimeMs now = services_.clock.NowMs();
  auto index = hub_->rules();
  if (!index) return;
  // The app's rules as the index holds them (sorted by app), each searched as its stored value.
  auto stored = worker_.store.StreamRules(options_.app.id);
  if (!stored.ok()) {
    spdlog::warn("stream of app {}: no backfill, rules not read: {}", options_.app.id, stored.status().message());
    return;
  }
  // Parsed once, by id; the index's own queries are rewritten for matching in memory.
  std::unordered_map<Id, SearchQuery> queries;
  for (IndexedRule& r : ToIndexedRules(*stored)) queries[r.rule_id].root = std::move(r.query);
  for (const auto& r : *stored)
    if (auto it = queries.find(r.id); it != queries.end()) it->second.text = r.value;
  std::map<Id, StreamEvent> found;
  for (const IndexedRule& rule : index->rules()) {
    if (rule.app_id != options_.app.id) continue;
    auto q = queries.find(rule.rule_id);
    if (q == queries.end()) continue;  // deleted since the index was built
    const SearchQuery* query = &q->second;
    PageRequest page;
    page.start_time = now - TimeMs(options_.backfill_minutes) * 60'000;
    page.limit = 100;
    for (size_t total = 0; total < kMaxQueuedEvents;) {
      auto posts = worker_.store.Search(*query, page);
      if (!posts.ok()) {
        spdlog::warn("stream of app {}: backfill of rule {} failed: {}", options_.app.id, rule.rule_id,
                     posts.status().message());
        break;
      }
      const bool more = posts->size() > size_t(page.limit);
      if (more) posts->resize(size_t(page.limit));
      for (auto& p : *posts) {
        StreamEvent& e = found[p.post.id];
        if (!e.post) {
          e.at = p.post.created_at;
          e.rules_held = index;
          e.post = std::make_shared<const StoredPost>(std::move(p));
        }
        e.rules.push_back(&rule);
      }
      total += posts->size();
      if (!more || posts->empty()) break;
      page.cursor = {{PageRequest::Direction::kOlder, posts->back().post.id}};
    }
  }
  // Live posts that came while the backfill was read are in both: sent once, in id order.
  for (const StreamEvent& live : queue_) found.erase(live.post->post.id);
  for (auto it = found.rbegin(); it != found.rend(); ++it) queue_.push_front(std::move(it->second));
}

void StreamConnection::Next() {
  if (busy_ || closed_ || !sink_ || queue_.empty()) return;
  StreamEvent event = std::move(queue_.front());
  queue_.pop_front();
  Deliver(std::move(event));
}

void StreamConnection::Finish(std::string last_line) {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  if (sink_) sink_->End(std::move(last_line));
}

std::optional<StreamEvent> StreamConnection::MaybeTrap(const StreamEvent& event) {
  if (!services_.traps || event.trap || !last_sent_ || event.post->post.id <= last_sent_->post.id) return std::nullopt;
  if (options_.feed == StreamFeed::kFiltered && event.rules.empty()) return std::nullopt;
  ApiContext ctx{services_, worker_, worker_.store, services_.config, services_.ids, services_.clock.NowMs(),
                 StoreWriteGeneration(), options_.app.user_id, 0, {}};
  // As in a page: the trap goes between the post sent last and this one, and matches the rule
  // this post matched first (the sample has no query: any trap text will do).
  std::vector<StoredPost> rows{*event.post, *last_sent_};
  const SearchNode* query = options_.feed == StreamFeed::kFiltered ? &event.rules.front()->query : nullptr;
  const Id trap = services_.traps->MaybeInject(ctx, options_.app, rows, /*full=*/false, /*newer=*/false, query,
                                               /*fresh=*/1);
  if (trap == 0 || rows.size() != 3 || rows[1].post.id != trap) return std::nullopt;
  StreamEvent t;
  t.post = std::make_shared<const StoredPost>(std::move(rows[1]));
  t.at = t.post->post.created_at;
  t.trap = true;
  if (query) {
    t.rules = {event.rules.front()};
    t.rules_held = event.rules_held;
  }
  return t;
}

void StreamConnection::DeliverNotice(StreamEvent event) {
  ComplianceEvent e;
  if (event.notice) {
    e = *event.notice;
  } else {
    e.kind = ComplianceEvent::Kind::kDelete;
    e.post_id = event.post->post.id;
    e.user_id = event.post->post.author_id;
    e.event_at = event.at;
  }
  const bool user_event = IsUserComplianceEvent(e.kind);
  std::string line = ComplianceEventLine(e) + "\r\n";
  if (!services_.ledger) {
    if (sink_->Send(std::move(line))) Next();
    return;
  }
  // A notice, not a delivery: never counted or billed; the trace report reads it (docs/trace.md).
  LedgerRecord record = ComplianceNoticeRecord(
      services_.config, services_.clock.NowMs(), options_.app.id, options_.app.project_id, EndpointName(options_.route),
      std::string(user_event ? "stream:users" : "stream:tweets") + "/compliance/partition/" +
          std::to_string(options_.partition),
      user_event ? std::vector<Id>{} : std::vector<Id>{e.post_id}, user_event ? std::vector<Id>{e.user_id} : std::vector<Id>{},
      options_.request_id, line.size());
  auto seq = services_.ledger->Append(std::move(record));
  if (!seq.ok()) return Finish(ErrorLine(services_.error_response(seq.status())));
  busy_ = true;
  // Sent once its record is durable, as a compliance job's file is: the ledger never lacks a
  // notice the client got.
  services_.ledger->WhenDurable(*seq, [self = shared_from_this(), line = std::move(line)](Status s) mutable {
    self->worker_.executor.Post([self, line = std::move(line), s] () mutable {
      self->busy_ = false;
      if (self->closed_) return;
      if (!s.ok()) return self->Finish(ErrorLine(self->services_.error_response(s)));
      if (!self->sink_->Send(std::move(line))) return;
      self->Next();
    });
  });
}

void StreamConnection::Deliver(StreamEvent event) {
  if (options_.feed == StreamFeed::kPostCompliance || options_.feed == StreamFeed::kUserCompliance)
    return DeliverNotice(std::move(event));
  if (auto trap = MaybeTrap(event)) {
    queue_.push_front(std::move(event));
    event = std::move(*trap);
  }
  const TimeMs now = services_.clock.NowMs();
  // Rendered once per field selection for all the streams the post goes to (a trap is this
  // stream's alone).
  const SharedRenders::Key key{options_.fields.post, options_.fields.user, options_.fields.expansions,
                               options_.fields.poll};
  std::optional<ApiResponse> shared = event.renders ? event.renders->Find(key) : std::nullopt;
  Result<ApiResponse> rendered = shared ? Result<ApiResponse>(std::move(*shared)) : [&] {
    std::vector<StoredPost> rows{*event.post};
    return RenderPostsEnvelope(worker_.store, now, rows, /*single=*/true, options_.fields, {}, nullptr);
  }();
  if (!rendered.ok()) {
    spdlog::warn("stream of app {}: post {} not rendered: {}", options_.app.id, event.post->post.id,
                 rendered.status().message());
    return Next();
  }
  if (!shared && event.renders) event.renders->Keep(key, *rendered);
  if (options_.feed == StreamFeed::kFiltered) AppendMember(rendered->body, MatchingRules(event.rules));
  // A trap is ledgered as its app's, never counted or billed (as in a page).
  if (event.trap) TrapInjector::MarkTrapDelivered(*rendered, event.post->post.id);
  else last_sent_ = event.post;
  const Chain* chain = hub_ ? hub_->delivery() : nullptr;
  auto send = [self = shared_from_this()](ApiResponse r) {
    self->busy_ = false;
    if (self->closed_) return;
    if (r.status >= 300) return self->Finish(ErrorLine(r));
    r.body += "\r\n";
    if (!self->sink_->Send(std::move(r.body))) return;  // closed: OnClose has run or will
    self->Next();
  };
  busy_ = true;
  if (!chain) return send(std::move(*rendered));
  ApiRequest req;
  req.method = method_;
  req.path = path_;
  req.query = options_.query;
  req.request_id = options_.request_id;
  auto ex = std::make_shared<Exchange>(services_, worker_, req, options_.route, std::string_view{});
  ex->app = options_.app;
  ex->plan = options_.plan;
  ex->streamed = true;
  ex->response = std::move(*rendered);
  chain->Start(ex, std::move(send));
}

}  // namespace sluice
