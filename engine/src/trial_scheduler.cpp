#include "comet/engine/trial_scheduler.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <optional>

#include "line_channel.h"
#include "worker_process.h"

namespace comet::engine {

namespace {

constexpr int kPollMilliseconds = 250;
constexpr std::size_t kStderrTailLines = 8;
constexpr double kShutdownSeconds = 10;  // an idle worker exits at once; a hung one is killed

results::EpochRecord epoch_record(const EpochMetrics& m) {
  results::EpochRecord record{m.epoch,
                              {{"train", "loss", m.train_loss},
                               {"val", "loss", m.val_loss},
                               {"epoch", "seconds", m.seconds}}};
  if (m.has_accuracy) {
    record.metrics.push_back({"train", "acc", m.train_acc});
    record.metrics.push_back({"val", "acc", m.val_acc});
  }
  if (m.has_test) {
    record.metrics.push_back({"test", "loss", m.test_loss});
    if (m.has_accuracy) record.metrics.push_back({"test", "acc", m.test_acc});
  }
  for (const auto& x : m.extra) record.metrics.push_back({x.split, x.name, x.value});
  return record;
}

WorkerCommand command_of(WorkerCommand::Type type) {
  WorkerCommand command;
  command.type = type;
  return command;
}

}  // namespace

// A slot: a device (and its share of threads) and the worker process that serves it.
struct SchedulerSlot {
  SlotSpec spec;
  std::unique_ptr<WorkerProcess> worker;
  bool ready = false;
  std::int64_t worker_pid = 0;
  std::string device_name, blas;  // as its worker reported them
  int trial = -1;                 // index of the trial it trains, -1 when idle
  std::int64_t attempt = 0;       // the trial's attempt, once the worker said `started`
  int epochs = 0;                 // epochs completed in this attempt
  std::ofstream log;              // the worker's stderr, <run_dir>/worker-<slot>.log
  std::deque<std::string> stderr_tail;
};

struct TrialScheduler::Impl {
  SchedulerOptions options;
  std::filesystem::path executable;
  std::vector<SchedulerSlot> slots;

  enum class Prepare { waiting, done, failed };
  Prepare prepare = Prepare::waiting;
  std::string prepare_error;
  int interrupts = 0;

  // Set for run().
  const std::vector<sweeps::TrialSpec>* trials = nullptr;
  results::ResultStore* store = nullptr;
  SchedulerReporter* reporter = nullptr;
  std::deque<int> queue;
  std::vector<int> retries;
  RunSummary summary;
  bool stopping = false;
  // Why a worker could not write a checkpoint (a full disk): the run stops and fails with it.
  std::string storage_failure;

  const sweeps::TrialSpec& trial_of(const SchedulerSlot& slot) const {
    return trials->at(static_cast<std::size_t>(slot.trial));
  }

  void spawn(int index) {
    auto& slot = slots[static_cast<std::size_t>(index)];
    std::vector<std::string> env;
    if (slot.spec.blas_threads > 0) {
      env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(slot.spec.blas_threads));
    }
    slot.worker = WorkerProcess::spawn(executable, env);
    slot.ready = false;
    slot.stderr_tail.clear();
    auto setup = command_of(WorkerCommand::Type::setup);
    setup.setup = WorkerSetup{index,
                              slot.spec.device,
                              slot.spec.threads,
                              options.data_root,
                              options.run_dir,
                              options.checkpoint_every,
                              options.run_dir,
                              static_cast<std::int64_t>(::getpid())};
    slot.worker->send(encode(setup));
  }

  results::AttemptInfo attempt_info(const SchedulerSlot& slot) const {
    auto info = options.attempt_info;
    info.device = slot.spec.device;
    info.worker_pid = slot.worker_pid;
    info.device_name = slot.device_name;
    info.blas = slot.blas;
    info.threads = slot.spec.threads;
    return info;
  }

  std::string stderr_tail(const SchedulerSlot& slot) const {
    if (slot.stderr_tail.empty()) return "";
    std::string text = "; its last output:";
    for (const auto& line : slot.stderr_tail) text += "\n    " + line;
    return text;
  }

  void keep_stderr(SchedulerSlot& slot, std::vector<std::string>& lines) {
    if (!lines.empty() && !slot.log.is_open() && !options.run_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(options.run_dir, ec);
      slot.log.open(options.run_dir / fmt::format("worker-{}.log", &slot - slots.data()),
                    std::ios::app);
    }
    for (auto& line : lines) {
      if (slot.log.is_open()) slot.log << line << '\n';
      slot.stderr_tail.push_back(std::move(line));
      if (slot.stderr_tail.size() > kStderrTailLines) slot.stderr_tail.pop_front();
    }
    if (slot.log.is_open()) slot.log.flush();
    lines.clear();
  }

  // Stops the sweep: the first call asks running trials to stop at their next step (they are
  // recorded `interrupted` and resume from their checkpoint); with `forced`, the workers are
  // killed at once.
  void stop(bool forced) {
    int running = 0;
    for (const auto& slot : slots) running += slot.trial >= 0;
    if (!stopping) {
      stopping = true;
      summary.stopped = true;
      // Nothing to announce when no trial runs (an interrupt while data loads, a storage
      // failure of the last running trial).
      if (reporter != nullptr && running > 0) reporter->interrupting(running, false);
      const auto stop_line = encode(command_of(WorkerCommand::Type::stop));
      for (auto& slot : slots) {
        if (slot.worker) slot.worker->send(stop_line);
      }
    }
    if (!forced) return;
    if (reporter != nullptr) reporter->interrupting(running, true);
    for (auto& slot : slots) {
      if (!slot.worker) continue;
      slot.worker->kill_now();
      slot.worker->wait();
      if (slot.trial >= 0 && slot.attempt != 0 && store != nullptr) {
        store->interrupt_attempt(slot.attempt, "its worker was killed by a second interrupt");
        ++summary.interrupted;
      }
      slot.trial = -1;
      slot.worker.reset();
    }
  }

  void end_badly(SchedulerSlot& slot, FailureKind kind, const std::string& text, bool retriable) {
    const int index = slot.trial;
    const auto& trial = trial_of(slot);
    const bool retry =
        retriable && !stopping && retries[static_cast<std::size_t>(index)] < options.max_retries;
    if (slot.attempt == 0) {
      // The worker died before it said `started`: the attempt is still recorded.
      slot.attempt =
          store->start_attempt(trial.id, attempt_info(slot), store->stored_epoch_prefix(trial.id));
    }
    const auto status = kind == FailureKind::diverged ? results::TrialStatus::diverged
                                                      : results::TrialStatus::failed;
    store->finish_attempt(slot.attempt, status, text, std::string(to_string(kind)));
    TrialEnd end{kind == FailureKind::diverged ? TrialOutcome::diverged : TrialOutcome::failed,
                 kind, text, slot.epochs, retry};
    slot.trial = -1;
    if (retry) {
      ++retries[static_cast<std::size_t>(index)];
      ++summary.retries;
      queue.push_front(index);
    } else if (kind == FailureKind::diverged) {
      ++summary.diverged;
    } else {
      ++summary.failed;
    }
    reporter->trial_ended(static_cast<int>(&slot - slots.data()), trial, end);
    if (!retry && options.fail_fast) stop(false);
  }

  void handle_event(SchedulerSlot& slot, const std::string& line) {
    WorkerEvent event;
    try {
      event = decode_event(line);
    } catch (const ProtocolError& e) {
      throw SchedulerError(e.what());
    }
    const int slot_index = static_cast<int>(&slot - slots.data());
    switch (event.type) {
      case WorkerEvent::Type::ready:
        slot.ready = true;
        slot.worker_pid = event.pid;
        slot.device_name = event.text;
        slot.blas = event.blas;
        return;
      case WorkerEvent::Type::prepared:
        prepare = Prepare::done;
        return;
      case WorkerEvent::Type::error:
        prepare = Prepare::failed;
        prepare_error = event.text;
        return;
      default:
        break;
    }
    // Every other event is about the slot's trial.
    if (slot.trial < 0 || store == nullptr || event.trial != trial_of(slot).id) {
      throw SchedulerError(fmt::format("worker {} reported '{}' for trial {}, not its trial",
                                       slot.worker_pid, line.substr(0, 200), event.trial));
    }
    const auto& trial = trial_of(slot);
    switch (event.type) {
      case WorkerEvent::Type::started:
        slot.attempt = store->start_attempt(trial.id, attempt_info(slot), event.epoch);
        slot.epochs = event.epoch;
        reporter->trial_started(slot_index, trial, event.epoch);
        break;
      case WorkerEvent::Type::model:
        store->set_trainable_parameters(trial.id, event.parameters);
        break;
      case WorkerEvent::Type::warning:
        reporter->trial_warning(slot_index, trial, event.text);
        break;
      case WorkerEvent::Type::epoch: {
        store->record_epoch(trial.id, epoch_record(event.metrics));
        slot.epochs = event.metrics.epoch;
        // Committed: the worker may now write this epoch's checkpoint.
        auto ack = command_of(WorkerCommand::Type::ack);
        ack.epoch = event.metrics.epoch;
        slot.worker->send(encode(ack));
        reporter->epoch_finished(slot_index, trial, event.metrics);
        break;
      }
      case WorkerEvent::Type::checkpoint:
        break;
      case WorkerEvent::Type::finished: {
        store->finish_attempt(slot.attempt, results::TrialStatus::done);
        slot.trial = -1;
        ++summary.done;
        // Only disk space from now on: a done trial never resumes.
        if (!options.run_dir.empty()) {
          std::error_code ec;
          std::filesystem::remove(options.run_dir / sweeps::trial_file_name(trial.id, ".ckpt"), ec);
        }
        reporter->trial_ended(
            slot_index, trial,
            TrialEnd{TrialOutcome::done, FailureKind::exception, "", event.epoch, false});
        break;
      }
      case WorkerEvent::Type::failed:
        if (event.kind == FailureKind::storage) {
          // Not the trial's failure: it goes back to pending (its stored epochs and previous
          // checkpoint stay) and the run stops, since every other trial would fail the same way.
          store->interrupt_attempt(slot.attempt, "the run stopped: " + event.text);
          slot.trial = -1;
          ++summary.interrupted;
          reporter->trial_ended(slot_index, trial,
                                TrialEnd{TrialOutcome::interrupted, FailureKind::storage,
                                         event.text, slot.epochs, false});
          if (storage_failure.empty()) storage_failure = event.text;
          stop(false);
          break;
        }
        // Out of memory may pass on another attempt (other trials shared the device); an
        // exception or a divergence is deterministic and would only repeat.
        end_badly(slot, event.kind, event.text, event.kind == FailureKind::out_of_memory);
        break;
      case WorkerEvent::Type::interrupted:
        store->interrupt_attempt(slot.attempt, "stopped by an interrupt");
        slot.trial = -1;
        ++summary.interrupted;
        reporter->trial_ended(
            slot_index, trial,
            TrialEnd{TrialOutcome::interrupted, FailureKind::exception, "", event.epoch, false});
        break;
      default:
        break;
    }
  }

  // The worker closed its events pipe: it ended. A trial it was training failed as `killed`
  // and is retried on a fresh worker (up to max_retries).
  void handle_exit(SchedulerSlot& slot) {
    const int index = static_cast<int>(&slot - slots.data());
    const auto how = slot.worker->wait();
    // It is gone, so its stderr ends: keep what it wrote last.
    std::vector<std::string> rest;
    while (slot.worker->errors_open()) {
      if (!slot.worker->errors().read_some(rest)) slot.worker->mark_errors_closed();
      keep_stderr(slot, rest);
    }
    const std::string what = fmt::format(
        "worker {} (slot {}) {}", slot.worker_pid != 0 ? slot.worker_pid : slot.worker->pid(),
        index, how.empty() ? "exited" : how);
    if (!slot.ready && !stopping) {
      throw SchedulerError(what + " before it was ready" + stderr_tail(slot));
    }
    if (index == 0 && prepare == Prepare::waiting && !stopping) {
      throw SchedulerError(what + " while it loaded the datasets" + stderr_tail(slot));
    }
    if (slot.trial >= 0) end_badly(slot, FailureKind::killed, what + stderr_tail(slot), true);
    slot.worker.reset();
    slot.ready = false;
    slot.worker_pid = 0;
    if (!stopping && !queue.empty()) spawn(index);
  }

  // Waits up to kPollMilliseconds for events, worker output or an interrupt, and handles them.
  void poll_once() {
    std::vector<pollfd> fds;
    std::vector<std::pair<int, bool>> owners;  // (slot, is its stderr)
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (!slots[i].worker) continue;
      fds.push_back({slots[i].worker->events().fd(), POLLIN, 0});
      owners.emplace_back(static_cast<int>(i), false);
      if (slots[i].worker->errors_open()) {
        fds.push_back({slots[i].worker->errors().fd(), POLLIN, 0});
        owners.emplace_back(static_cast<int>(i), true);
      }
    }
    if (options.interrupt_fd >= 0) fds.push_back({options.interrupt_fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), kPollMilliseconds) <= 0) return;  // EINTR: next round
    if (options.interrupt_fd >= 0 && (fds.back().revents & POLLIN) != 0) {
      char bytes[16];
      const auto got = ::read(options.interrupt_fd, bytes, sizeof bytes);
      for (ssize_t i = 0; i < got; ++i) {
        ++interrupts;
        summary.interrupted_by_user = true;
        stop(/*forced=*/interrupts >= 2);
      }
    }
    // Stderr first, so that a worker's last words are kept before its exit is handled.
    std::vector<int> ended;
    std::vector<std::string> lines;
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < owners.size(); ++i) {
        const auto [index, is_stderr] = owners[i];
        auto& slot = slots[static_cast<std::size_t>(index)];
        if (is_stderr != (pass == 0) || fds[i].revents == 0 || !slot.worker) continue;
        if (is_stderr) {
          if (!slot.worker->errors().read_some(lines)) slot.worker->mark_errors_closed();
          keep_stderr(slot, lines);
          continue;
        }
        const bool open = slot.worker->events().read_some(lines);
        auto batch = std::move(lines);
        lines.clear();
        for (const auto& line : batch) {
          if (slot.worker) handle_event(slot, line);
        }
        if (!open && slot.worker) handle_exit(slot);
      }
    }
  }

  bool busy() const {
    for (const auto& slot : slots) {
      if (slot.trial >= 0) return true;
    }
    return false;
  }

  void assign() {
    for (std::size_t i = 0; i < slots.size() && !queue.empty(); ++i) {
      auto& slot = slots[i];
      if (!slot.worker) spawn(static_cast<int>(i));
      if (!slot.ready || slot.trial >= 0) continue;
      slot.trial = queue.front();
      queue.pop_front();
      slot.attempt = 0;
      slot.epochs = 0;
      const auto& trial = trial_of(slot);
      auto command = command_of(WorkerCommand::Type::trial);
      command.trials.push_back(trial);
      command.stored_epochs = store->stored_epoch_prefix(trial.id);
      slot.worker->send(encode(command));  // a dead worker shows up as its exit
    }
  }

  void shut_down() {
    for (auto& slot : slots) {
      if (slot.worker) slot.worker->close_input();
    }
    for (auto& slot : slots) {
      if (slot.worker) slot.worker->wait_or_kill(kShutdownSeconds);
      slot.worker.reset();
    }
  }

  // The database failed while trials ran (a full disk, a damaged file): nothing more can be
  // recorded. The workers are stopped (a closed stdin stops a trial at its next step, and one
  // waiting for an ack never writes that epoch's checkpoint), then each open attempt is closed
  // as `interrupted` if the database still takes that write; if not, it stays open, as after a
  // crash, and the next run closes it. Throws StoreError with the cause and what was stopped.
  [[noreturn]] void abandon(const std::string& cause) {
    int running = 0, left_open = 0;
    for (const auto& slot : slots) running += slot.trial >= 0;
    shut_down();
    bool writable = true;
    for (auto& slot : slots) {
      if (slot.trial >= 0 && slot.attempt != 0) {
        try {
          if (writable) {
            store->interrupt_attempt(slot.attempt, "the run stopped on a storage error: " + cause);
          }
        } catch (const results::StoreError&) {
          writable = false;
        }
        left_open += !writable;
      }
      slot.trial = -1;
    }
    std::string what = cause + "; the run stopped";
    if (running > 0) {
      what += fmt::format(": {} running trial(s) stopped (they resume from their checkpoints)",
                          running);
    }
    if (left_open > 0) {
      what += fmt::format(
          "; {} attempt(s) could not be closed (the database refused that too): the next run "
          "closes them",
          left_open);
    }
    throw results::StoreError(what);
  }
};

TrialScheduler::TrialScheduler(SchedulerOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.slots.empty()) throw SchedulerError("a scheduler needs at least one slot");
  impl_->executable = options.worker_executable.empty()
                          ? std::filesystem::read_symlink("/proc/self/exe")
                          : options.worker_executable;
  for (const auto& spec : options.slots) {
    SchedulerSlot slot;
    slot.spec = spec;
    impl_->slots.push_back(std::move(slot));
  }
  impl_->options = std::move(options);
}

TrialScheduler::~TrialScheduler() = default;  // each WorkerProcess kills and reaps its worker

void TrialScheduler::start(const std::vector<sweeps::TrialSpec>& trials) {
  auto& impl = *impl_;
  const auto count = std::min(impl.slots.size(), trials.size());
  impl.slots.resize(count);  // never more workers than trials
  for (std::size_t i = 0; i < count; ++i) impl.spawn(static_cast<int>(i));
  if (count == 0) return;
  auto prepare = command_of(WorkerCommand::Type::prepare);
  prepare.trials = trials;
  impl.slots[0].worker->send(encode(prepare));
  while (impl.prepare == Impl::Prepare::waiting && impl.interrupts == 0) impl.poll_once();
  if (impl.prepare == Impl::Prepare::failed) throw WorkerInputError(impl.prepare_error);
}

RunSummary TrialScheduler::run(const std::vector<sweeps::TrialSpec>& trials,
                               results::ResultStore& store, SchedulerReporter& reporter) {
  auto& impl = *impl_;
  impl.trials = &trials;
  impl.store = &store;
  impl.reporter = &reporter;
  const bool interrupted_early = impl.summary.interrupted_by_user;
  impl.summary = RunSummary{};
  impl.summary.interrupted_by_user = interrupted_early;
  impl.summary.stopped = interrupted_early;
  impl.summary.total = static_cast<int>(trials.size());
  impl.retries.assign(trials.size(), 0);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto status = store.trial_status(trials[i].id).value_or(results::TrialStatus::pending);
    const bool ended_badly =
        status == results::TrialStatus::failed || status == results::TrialStatus::diverged;
    const bool rerun =
        impl.options.rerun == Rerun::all || (impl.options.rerun == Rerun::failed && ended_badly);
    if ((status == results::TrialStatus::done || ended_badly) && !rerun) {
      ++impl.summary.skipped;
      reporter.trial_skipped(trials[i], status);
    } else {
      impl.queue.push_back(static_cast<int>(i));
    }
  }
  if (impl.interrupts > 0) impl.stop(false);  // Ctrl-C while the data loaded
  std::vector<SlotSpec> specs;
  for (const auto& slot : impl.slots) specs.push_back(slot.spec);
  if (!impl.queue.empty() && !impl.stopping) reporter.slots_started(specs);
  try {
    while (true) {
      if (!impl.stopping) impl.assign();
      if (!impl.busy() && (impl.queue.empty() || impl.stopping)) break;
      impl.poll_once();
      reporter.tick();
    }
  } catch (const results::StoreError& e) {
    impl.queue.clear();
    impl.abandon(e.what());
  }
  impl.summary.not_started = static_cast<int>(impl.queue.size());
  impl.queue.clear();
  impl.shut_down();
  if (!impl.storage_failure.empty()) {
    throw results::StoreError(fmt::format(
        "{}; the run stopped: {} trial(s) stopped (they resume from their checkpoints), {} not "
        "started",
        impl.storage_failure, impl.summary.interrupted, impl.summary.not_started));
  }
  return impl.summary;
}

}  // namespace comet::engine
