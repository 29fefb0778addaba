// The worker protocol's lines: every message survives encode -> decode, doubles bit for bit.

#include "comet/engine/worker_protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace comet::engine {
namespace {

sweeps::TrialSpec a_trial() {
  auto spec = sweeps::parse_sweep_text(
      "name: s\ndataset: mnist\nepochs: 2\nlr: 0.1\nwidth: 16\nmodel: comet\np_k: 0.25\n",
      "s.yaml");
  return sweeps::expand_trials(spec).at(0);
}

TEST(WorkerProtocol, CommandsRoundTrip) {
  WorkerCommand setup;
  setup.type = WorkerCommand::Type::setup;
  setup.setup = WorkerSetup{3, "cuda:1", 4, "/data", "/db.runs", 2, "/db.runs", 1234};
  const auto line = encode(setup);
  ASSERT_EQ(line.back(), '\n');
  const auto back = decode_command(line.substr(0, line.size() - 1));
  EXPECT_EQ(back.type, WorkerCommand::Type::setup);
  EXPECT_EQ(back.setup.slot, 3);
  EXPECT_EQ(back.setup.device, "cuda:1");
  EXPECT_EQ(back.setup.threads, 4);
  EXPECT_EQ(back.setup.data_root, "/data");
  EXPECT_EQ(back.setup.checkpoint_every, 2);
  EXPECT_EQ(back.setup.scheduler_pid, 1234);

  WorkerCommand trial;
  trial.type = WorkerCommand::Type::trial;
  trial.trials.push_back(a_trial());
  trial.stored_epochs = 7;
  const auto t = decode_command(encode(trial));
  ASSERT_EQ(t.trials.size(), 1u);
  EXPECT_EQ(t.trials[0].id, trial.trials[0].id);
  EXPECT_EQ(t.trials[0].config, trial.trials[0].config);
  EXPECT_EQ(t.stored_epochs, 7);

  WorkerCommand ack;
  ack.type = WorkerCommand::Type::ack;
  ack.epoch = 12;
  EXPECT_EQ(decode_command(encode(ack)).epoch, 12);
}

TEST(WorkerProtocol, EpochMetricsRoundTripExactlyAndNanBecomesNull) {
  WorkerEvent e;
  e.type = WorkerEvent::Type::epoch;
  e.trial = "abc";
  e.metrics.epoch = 5;
  e.metrics.train_loss = 0.1 + 0.2;
  e.metrics.train_acc = 1.0 / 3.0;
  e.metrics.val_loss = std::nan("");
  e.metrics.val_acc = 0.987654321012345;
  e.metrics.has_accuracy = true;
  e.metrics.seconds = 1e-300;
  const auto line = encode(e);
  EXPECT_NE(line.find("\"val_loss\":null"), std::string::npos) << line;
  const auto back = decode_event(line);
  EXPECT_EQ(back.type, WorkerEvent::Type::epoch);
  EXPECT_EQ(back.trial, "abc");
  EXPECT_EQ(back.metrics.epoch, 5);
  EXPECT_EQ(back.metrics.train_loss, 0.1 + 0.2);
  EXPECT_EQ(back.metrics.train_acc, 1.0 / 3.0);
  EXPECT_TRUE(std::isnan(back.metrics.val_loss));
  EXPECT_EQ(back.metrics.val_acc, 0.987654321012345);
  EXPECT_EQ(back.metrics.seconds, 1e-300);
}

TEST(WorkerProtocol, FailuresKeepTheirKindAndText) {
  for (auto kind : {FailureKind::exception, FailureKind::diverged, FailureKind::out_of_memory,
                    FailureKind::killed, FailureKind::storage}) {
    WorkerEvent e;
    e.type = WorkerEvent::Type::failed;
    e.trial = "t";
    e.kind = kind;
    e.epoch = 2;
    e.text = "line one\nline \"two\"";
    const auto back = decode_event(encode(e));
    EXPECT_EQ(back.kind, kind);
    EXPECT_EQ(back.text, e.text);
    EXPECT_EQ(back.epoch, 2);
  }
  EXPECT_EQ(to_string(FailureKind::out_of_memory), "out_of_memory");
  EXPECT_EQ(to_string(FailureKind::storage), "storage");
}

TEST(WorkerProtocol, MalformedLinesAreProtocolErrors) {
  EXPECT_THROW(decode_event("not json"), ProtocolError);
  EXPECT_THROW(decode_event("[1,2]"), ProtocolError);
  EXPECT_THROW(decode_event(R"({"event":"teleported"})"), ProtocolError);
  EXPECT_THROW(decode_event(R"({"event":"epoch","trial":"t","epoch":1})"), ProtocolError);
  EXPECT_THROW(decode_command(R"({"type":"setup","protocol":99})"), ProtocolError);
  EXPECT_THROW(decode_command(R"({"type":"trial"})"), ProtocolError);
}

}  // namespace
}  // namespace comet::engine
