#include "comet/engine/worker_protocol.h"

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace comet::engine {

namespace {

using nlohmann::json;

// Both directions share one table of names so that encode and decode cannot drift apart.
const std::map<WorkerCommand::Type, std::string>& command_names() {
  static const std::map<WorkerCommand::Type, std::string> names = {
      {WorkerCommand::Type::setup, "setup"},
      {WorkerCommand::Type::prepare, "prepare"},
      {WorkerCommand::Type::trial, "trial"},
      {WorkerCommand::Type::ack, "ack"},
      {WorkerCommand::Type::stop, "stop"}};
  return names;
}

const std::map<WorkerEvent::Type, std::string>& event_names() {
  static const std::map<WorkerEvent::Type, std::string> names = {
      {WorkerEvent::Type::ready, "ready"},
      {WorkerEvent::Type::prepared, "prepared"},
      {WorkerEvent::Type::started, "started"},
      {WorkerEvent::Type::model, "model"},
      {WorkerEvent::Type::warning, "warning"},
      {WorkerEvent::Type::epoch, "epoch"},
      {WorkerEvent::Type::checkpoint, "checkpoint"},
      {WorkerEvent::Type::finished, "finished"},
      {WorkerEvent::Type::failed, "failed"},
      {WorkerEvent::Type::interrupted, "interrupted"},
      {WorkerEvent::Type::error, "error"}};
  return names;
}

const std::map<FailureKind, std::string>& kind_names() {
  static const std::map<FailureKind, std::string> names = {
      {FailureKind::exception, "exception"},
      {FailureKind::diverged, "diverged"},
      {FailureKind::out_of_memory, "out_of_memory"},
      {FailureKind::killed, "killed"},
      {FailureKind::storage, "storage"}};
  return names;
}

template <typename Enum>
Enum enum_named(const std::map<Enum, std::string>& names, const std::string& name,
                std::string_view what) {
  for (const auto& [value, text] : names) {
    if (text == name) return value;
  }
  throw ProtocolError("worker protocol: unknown " + std::string(what) + " '" + name + "'");
}

json parse_line(std::string_view line) {
  try {
    auto parsed = json::parse(line);
    if (!parsed.is_object()) throw ProtocolError("not a JSON object");
    return parsed;
  } catch (const json::exception& e) {
    throw ProtocolError("worker protocol: unreadable line '" + std::string(line.substr(0, 200)) +
                        "': " + e.what());
  }
}

// JSON has no NaN or infinity: nlohmann writes them as null, and null reads back as NaN.
double real_of(const json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

json trial_json(const sweeps::TrialSpec& trial) {
  return json{{"id", trial.id}, {"config", json::parse(trial.config.canonical_json())}};
}

sweeps::TrialSpec trial_of(const json& j) {
  return sweeps::TrialSpec{j.at("id").get<std::string>(),
                           sweeps::TrialConfig::from_json(j.at("config").dump())};
}

}  // namespace

std::string_view to_string(FailureKind kind) { return kind_names().at(kind); }

std::string encode(const WorkerCommand& command) {
  json j{{"type", command_names().at(command.type)}};
  switch (command.type) {
    case WorkerCommand::Type::setup: {
      const auto& s = command.setup;
      j["protocol"] = kWorkerProtocolVersion;
      j["slot"] = s.slot;
      j["device"] = s.device;
      j["threads"] = s.threads;
      j["data_root"] = s.data_root.string();
      j["checkpoint_dir"] = s.checkpoint_dir.string();
      j["checkpoint_every"] = s.checkpoint_every;
      j["log_dir"] = s.log_dir.string();
      j["scheduler_pid"] = s.scheduler_pid;
      break;
    }
    case WorkerCommand::Type::prepare:
      j["trials"] = json::array();
      for (const auto& trial : command.trials) j["trials"].push_back(trial_json(trial));
      break;
    case WorkerCommand::Type::trial:
      j["trial"] = trial_json(command.trials.at(0));
      j["stored_epochs"] = command.stored_epochs;
      break;
    case WorkerCommand::Type::ack:
      j["epoch"] = command.epoch;
      break;
    case WorkerCommand::Type::stop:
      break;
  }
  return j.dump() + "\n";
}

WorkerCommand decode_command(std::string_view line) {
  const auto j = parse_line(line);
  try {
    WorkerCommand command;
    command.type = enum_named(command_names(), j.at("type").get<std::string>(), "command");
    switch (command.type) {
      case WorkerCommand::Type::setup: {
        if (j.at("protocol").get<int>() != kWorkerProtocolVersion) {
          throw ProtocolError("worker protocol version " + j.at("protocol").dump() +
                              ", this worker speaks " + std::to_string(kWorkerProtocolVersion));
        }
        auto& s = command.setup;
        s.slot = j.at("slot").get<int>();
        s.device = j.at("device").get<std::string>();
        s.threads = j.at("threads").get<int>();
        s.data_root = j.at("data_root").get<std::string>();
        s.checkpoint_dir = j.at("checkpoint_dir").get<std::string>();
        s.checkpoint_every = j.at("checkpoint_every").get<int>();
        s.log_dir = j.at("log_dir").get<std::string>();
        s.scheduler_pid = j.at("scheduler_pid").get<std::int64_t>();
        break;
      }
      case WorkerCommand::Type::prepare:
        for (const auto& trial : j.at("trials")) command.trials.push_back(trial_of(trial));
        break;
      case WorkerCommand::Type::trial:
        command.trials.push_back(trial_of(j.at("trial")));
        command.stored_epochs = j.at("stored_epochs").get<int>();
        break;
      case WorkerCommand::Type::ack:
        command.epoch = j.at("epoch").get<int>();
        break;
      case WorkerCommand::Type::stop:
        break;
    }
    return command;
  } catch (const json::exception& e) {
    throw ProtocolError("worker protocol: malformed command '" + std::string(line.substr(0, 200)) +
                        "': " + e.what());
  }
}

std::string encode(const WorkerEvent& event) {
  json j{{"event", event_names().at(event.type)}};
  if (!event.trial.empty()) j["trial"] = event.trial;
  switch (event.type) {
    case WorkerEvent::Type::ready:
      j["pid"] = event.pid;
      j["text"] = event.text;
      j["blas"] = event.blas;
      break;
    case WorkerEvent::Type::model:
      j["parameters"] = event.parameters;
      break;
    case WorkerEvent::Type::epoch: {
      const auto& m = event.metrics;
      j["epoch"] = m.epoch;
      j["metrics"] = json{{"train_loss", m.train_loss},     {"train_acc", m.train_acc},
                          {"val_loss", m.val_loss},         {"val_acc", m.val_acc},
                          {"has_accuracy", m.has_accuracy}, {"seconds", m.seconds}};
      // Only in the epochs that evaluated the test split (eval_test).
      if (m.has_test) {
        j["metrics"]["test_loss"] = m.test_loss;
        j["metrics"]["test_acc"] = m.test_acc;
      }
      // Only from step-based training.
      if (m.step > 0 || m.total_records > 0 || !m.extra.empty()) {
        j["metrics"]["step"] = m.step;
        j["metrics"]["total_records"] = m.total_records;
        auto extra = json::array();
        for (const auto& x : m.extra) extra.push_back(json::array({x.split, x.name, x.value}));
        j["metrics"]["extra"] = std::move(extra);
      }
      break;
    }
    case WorkerEvent::Type::failed:
      j["kind"] = kind_names().at(event.kind);
      j["epoch"] = event.epoch;
      j["text"] = event.text;
      break;
    case WorkerEvent::Type::warning:
    case WorkerEvent::Type::error:
      j["text"] = event.text;
      break;
    case WorkerEvent::Type::started:
    case WorkerEvent::Type::checkpoint:
    case WorkerEvent::Type::finished:
    case WorkerEvent::Type::interrupted:
      j["epoch"] = event.epoch;
      break;
    case WorkerEvent::Type::prepared:
      break;
  }
  // Invalid UTF-8 in an error text (a file name, torch's message) must not kill the line.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

WorkerEvent decode_event(std::string_view line) {
  const auto j = parse_line(line);
  try {
    WorkerEvent event;
    event.type = enum_named(event_names(), j.at("event").get<std::string>(), "event");
    event.trial = j.value("trial", std::string());
    event.epoch = j.value("epoch", 0);
    event.text = j.value("text", std::string());
    event.pid = j.value("pid", std::int64_t{0});
    event.parameters = j.value("parameters", std::int64_t{0});
    event.blas = j.value("blas", std::string());
    if (j.contains("kind")) {
      event.kind = enum_named(kind_names(), j.at("kind").get<std::string>(), "failure kind");
    }
    if (event.type == WorkerEvent::Type::epoch) {
      const auto& m = j.at("metrics");
      event.metrics.epoch = event.epoch;
      event.metrics.train_loss = real_of(m.at("train_loss"));
      event.metrics.train_acc = real_of(m.at("train_acc"));
      event.metrics.val_loss = real_of(m.at("val_loss"));
      event.metrics.val_acc = real_of(m.at("val_acc"));
      event.metrics.has_accuracy = m.at("has_accuracy").get<bool>();
      event.metrics.seconds = real_of(m.at("seconds"));
      if (m.contains("test_loss")) {
        event.metrics.has_test = true;
        event.metrics.test_loss = real_of(m.at("test_loss"));
        event.metrics.test_acc = real_of(m.at("test_acc"));
      }
      if (m.contains("extra")) {
        event.metrics.step = m.at("step").get<std::int64_t>();
        event.metrics.total_records = m.at("total_records").get<int>();
        for (const auto& x : m.at("extra")) {
          event.metrics.extra.push_back(
              {x.at(0).get<std::string>(), x.at(1).get<std::string>(), real_of(x.at(2))});
        }
      }
    }
    return event;
  } catch (const json::exception& e) {
    throw ProtocolError("worker protocol: malformed event '" + std::string(line.substr(0, 200)) +
                        "': " + e.what());
  }
}

}  // namespace comet::engine
