// The chain alone, with stages of the test's own: the order they run in, what an answer
// skips, what is released (and in which order), exceptions, and stages that wait.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "api/executor.h"
#include "api/metrics.h"
#include "http/problem.h"

namespace sluice {
namespace {

// Notes its name in `log` when it runs and "release NAME" when released.
class NoteStage : public Stage {
 public:
  NoteStage(std::string name, std::vector<std::string>& log, bool after_answer = false)
      : name_(std::move(name)), log_(log), after_answer_(after_answer) {}
  std::string_view name() const override { return name_; }
  Verdict Run(Exchange& ex) override {
    log_.push_back(name_);
    return Verdict::Continue();
  }
  void Release(Exchange&) override { log_.push_back("release " + name_); }
  bool runs_after_answer() const override { return after_answer_; }

 protected:
  std::string name_;
  std::vector<std::string>& log_;
  bool after_answer_;
};

// Answers 200 with a body, as a handler would.
class BodyStage final : public NoteStage {
 public:
  using NoteStage::NoteStage;
  Verdict Run(Exchange& ex) override {
    NoteStage::Run(ex);
    ex.response = ApiResponse::Json(200, "{\"ok\":true}");
    return Verdict::Continue();
  }
};

class RefuseStage final : public NoteStage {
 public:
  using NoteStage::NoteStage;
  Verdict Run(Exchange& ex) override {
    NoteStage::Run(ex);
    return ex.Refuse(Refusal::kRate, TooManyRequests());
  }
};

class ThrowStage final : public NoteStage {
 public:
  using NoteStage::NoteStage;
  Verdict Run(Exchange& ex) override {
    NoteStage::Run(ex);
    throw std::runtime_error("boom");
  }
};

// Waits `delay_ms` on the worker's timer, then goes on.
class TimerStage final : public NoteStage {
 public:
  TimerStage(std::string name, std::vector<std::string>& log, TimeMs delay_ms)
      : NoteStage(std::move(name), log), delay_ms_(delay_ms) {}
  Verdict Run(Exchange& ex) override {
    NoteStage::Run(ex);
    ex.worker.executor.PostAfter(delay_ms_, ex.Suspend());
    return Verdict::Wait();
  }

 private:
  TimeMs delay_ms_;
};

// Completes on another thread, as the ledger's sync thread completes a durable wait.
class ThreadStage final : public NoteStage {
 public:
  using NoteStage::NoteStage;
  Verdict Run(Exchange& ex) override {
    NoteStage::Run(ex);
    threads.emplace_back([resume = ex.Suspend()] { resume(); });
    return Verdict::Wait();
  }
  ~ThreadStage() override {
    for (auto& t : threads) t.join();
  }
  std::vector<std::thread> threads;
};

// Waits for an answer computed on another thread (as the shared counters' Redis thread does)
// and refuses with it: the chain takes it as this stage's answer when it resumes.
class RefuseLaterStage final : public NoteStage {
 public:
  using NoteStage::NoteStage;
  Verdict Run(Exchange& ex) override {
    NoteStage::Run(ex);
    threads.emplace_back([&ex, resume = ex.Suspend()] {
      ex.Refuse(Refusal::kBackend, ServiceUnavailable("Redis is down", 1));
      ex.AnswerOnResume();
      resume();
    });
    return Verdict::Wait();
  }
  ~RefuseLaterStage() override {
    for (auto& t : threads) t.join();
  }
  std::vector<std::thread> threads;
};

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-chain-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    worker_ = std::make_unique<WorkerState>(*store_, executor_);
    services_.error_response = ProblemResponse;  // as the Router sets it
  }
  void TearDown() override {
    worker_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts one request through `chain`; the response lands in `out` when done.
  void Start(const Chain& chain, std::optional<ApiResponse>& out, std::string_view method = "GET") {
    requests_.push_back(std::make_unique<ApiRequest>(ApiRequest{method, "/2/tweets/1", "", "", "", "", "", "t"}));
    auto ex = std::make_shared<Exchange>(services_, *worker_, *requests_.back(), RouteId::kGetPost, "1");
    chain.Start(std::move(ex), [&out](ApiResponse r) { out = std::move(r); });
  }
  ApiResponse Run(const Chain& chain) {
    std::optional<ApiResponse> out;
    Start(chain, out);
    EXPECT_TRUE(executor_.RunUntil([&] { return out.has_value(); }));
    return out ? std::move(*out) : ApiResponse{};
  }
  static std::unique_ptr<Chain> MakeChain(std::vector<std::unique_ptr<Stage>> stages) {
    return std::make_unique<Chain>(std::move(stages));
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{1'700'000'000'000};
  SnowflakeGenerator ids_{clock_, 1};
  Config config_;
  Metrics metrics_;
  Services services_{clock_, ids_, config_, Plans::Defaults(), metrics_};
  QueueExecutor executor_;
  std::unique_ptr<WorkerState> worker_;
  std::vector<std::unique_ptr<ApiRequest>> requests_;
  std::vector<std::string> log_;
};

template <typename... S>
std::vector<std::unique_ptr<Stage>> List(std::unique_ptr<S>... s) {
  std::vector<std::unique_ptr<Stage>> v;
  (v.push_back(std::move(s)), ...);
  return v;
}

TEST_F(ChainTest, RunsEveryStageInOrderAndKeepsASuccess) {
  auto chain = MakeChain(List(std::make_unique<NoteStage>("a", log_), std::make_unique<BodyStage>("handler", log_),
                              std::make_unique<NoteStage>("headers", log_, true)));
  ApiResponse r = Run(*chain);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"ok\":true}");
  EXPECT_EQ(log_, (std::vector<std::string>{"a", "handler", "headers"}));  // nothing released
}

TEST_F(ChainTest, AnAnswerSkipsToTheStagesThatRunAfterOneAndReleasesWhatRanLastFirst) {
  auto chain = MakeChain(List(std::make_unique<NoteStage>("a", log_), std::make_unique<NoteStage>("b", log_),
                              std::make_unique<RefuseStage>("limit", log_), std::make_unique<BodyStage>("handler", log_),
                              std::make_unique<NoteStage>("headers", log_, true),
                              std::make_unique<NoteStage>("record", log_, true)));
  ApiResponse r = Run(*chain);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, ProblemResponse(TooManyRequests()).body);
  // Released at once (before the headers stage), the refusing stage first; released once.
  EXPECT_EQ(log_, (std::vector<std::string>{"a", "b", "limit", "release limit", "release b", "release a", "headers",
                                            "record"}));
  EXPECT_NE(metrics_.Render(nullptr).find("sluice_refused_total{reason=\"rate\"} 1\n"), std::string::npos);
}

TEST_F(ChainTest, AnErrorResponseReleasesAfterTheLastStage) {
  // A handler's error is no refusal: the stages after it run, then everything is released.
  class ErrorHandler final : public NoteStage {
   public:
    using NoteStage::NoteStage;
    Verdict Run(Exchange& ex) override {
      NoteStage::Run(ex);
      ex.Fail(NotFound("no"));
      return Verdict::Continue();
    }
  };
  auto chain = MakeChain(List(std::make_unique<NoteStage>("a", log_), std::make_unique<ErrorHandler>("handler", log_),
                              std::make_unique<NoteStage>("cap", log_), std::make_unique<NoteStage>("headers", log_, true)));
  ApiResponse r = Run(*chain);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(log_, (std::vector<std::string>{"a", "handler", "cap", "headers", "release headers", "release cap",
                                            "release handler", "release a"}));
}

TEST_F(ChainTest, AStageThatThrowsIsA500AndTheResponseStagesStillRun) {
  auto chain = MakeChain(List(std::make_unique<NoteStage>("a", log_), std::make_unique<ThrowStage>("handler", log_),
                              std::make_unique<NoteStage>("cap", log_), std::make_unique<NoteStage>("headers", log_, true)));
  ApiResponse r = Run(*chain);
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("\"status\":500"), std::string::npos) << r.body;
  EXPECT_EQ(log_, (std::vector<std::string>{"a", "handler", "release handler", "release a", "headers"}));
}

TEST_F(ChainTest, AStageThatWaitsResumesWithTheNextStage) {
  auto chain = MakeChain(List(std::make_unique<TimerStage>("delay", log_, 5), std::make_unique<BodyStage>("handler", log_),
                              std::make_unique<NoteStage>("headers", log_, true)));
  std::optional<ApiResponse> out;
  Start(*chain, out);
  EXPECT_FALSE(out.has_value());  // waiting on the timer: Start returned without an answer
  EXPECT_EQ(log_, (std::vector<std::string>{"delay"}));
  ASSERT_TRUE(executor_.RunUntil([&] { return out.has_value(); }));
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(log_, (std::vector<std::string>{"delay", "handler", "headers"}));
}

TEST_F(ChainTest, AStageThatWaitsCanAnswerWhenItResumes) {
  auto chain = MakeChain(List(std::make_unique<NoteStage>("a", log_), std::make_unique<RefuseLaterStage>("limit", log_),
                              std::make_unique<BodyStage>("handler", log_), std::make_unique<NoteStage>("headers", log_, true)));
  ApiResponse r = Run(*chain);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, ProblemResponse(ServiceUnavailable("Redis is down", 1)).body);
  // The handler is skipped, what ran is released (last first), the response stages still run.
  EXPECT_EQ(log_, (std::vector<std::string>{"a", "limit", "release limit", "release a", "headers"}));
  EXPECT_NE(metrics_.Render(nullptr).find("sluice_refused_total{reason=\"backend\"} 1\n"), std::string::npos);
}

TEST_F(ChainTest, ManyRequestsWaitOnOneWorkerAtOnce) {
  auto chain = MakeChain(List(std::make_unique<TimerStage>("delay", log_, 50), std::make_unique<BodyStage>("handler", log_)));
  constexpr int kRequests = 200;
  std::vector<std::optional<ApiResponse>> out(kRequests);
  for (auto& o : out) Start(*chain, o);
  // All started before any finished: every one is waiting on this one thread.
  EXPECT_EQ(std::count(log_.begin(), log_.end(), "delay"), kRequests);
  EXPECT_EQ(std::count(log_.begin(), log_.end(), "handler"), 0);
  EXPECT_NE(metrics_.Render(nullptr).find("sluice_requests_waiting 200\n"), std::string::npos);
  ASSERT_TRUE(executor_.RunUntil([&] { return std::all_of(out.begin(), out.end(), [](auto& o) { return o.has_value(); }); }));
  for (auto& o : out) EXPECT_EQ(o->status, 200);
  std::string m = metrics_.Render(nullptr);
  EXPECT_NE(m.find("sluice_requests_waiting 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_requests_waiting_max 200\n"), std::string::npos) << m;
}

TEST_F(ChainTest, AWaitCompletedOnAnotherThreadResumesOnTheWorker) {
  auto stage = std::make_unique<ThreadStage>("remote", log_);
  auto chain = MakeChain(List(std::move(stage), std::make_unique<BodyStage>("handler", log_)));
  const auto worker_thread = std::this_thread::get_id();
  std::optional<ApiResponse> out;
  Start(*chain, out);
  ASSERT_TRUE(executor_.RunUntil([&] { return out.has_value(); }));
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(std::this_thread::get_id(), worker_thread);
  EXPECT_EQ(log_, (std::vector<std::string>{"remote", "handler"}));
}

}  // namespace
}  // namespace sluice
