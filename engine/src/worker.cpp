#include "comet/engine/worker.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include <torch/torch.h>

#include "checkpoint.h"
#include "line_channel.h"
#include "trial_log.h"

#include "comet/datasets/dataset.h"
#include "comet/engine/runtime_info.h"
#include "comet/engine/trainer.h"
#include "comet/engine/worker_protocol.h"

namespace comet::engine {

namespace {

// Commands from the scheduler, read on a thread of their own so that a stop, or a closed pipe
// (the scheduler finished or died), is seen while a trial trains.
class CommandInbox {
 public:
  // Starts the reading thread. Shared with it: the thread may outlive run_worker's frame.
  static std::shared_ptr<CommandInbox> start(int fd) {
    auto inbox = std::make_shared<CommandInbox>();
    std::thread([inbox, fd] { inbox->read_loop(fd); }).detach();
    return inbox;
  }

  // The next command; nullopt once the pipe is closed and every command is taken.
  std::optional<WorkerCommand> next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    auto command = std::move(queue_.front());
    queue_.pop_front();
    return command;
  }

  // Waits for the scheduler's ack of `epoch` (it acks every epoch once it is committed, stop or
  // not). False if the pipe closed first: the epoch may not be in the database.
  bool wait_ack(int epoch) {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return false;
      const auto command = std::move(queue_.front());
      queue_.pop_front();
      if (command.type == WorkerCommand::Type::ack && command.epoch == epoch) return true;
      // Anything else during a trial is a stop (kept in the flag) or a scheduler bug: dropped.
    }
  }

  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }

 private:
  void read_loop(int fd) {
    LineReader reader(fd);
    std::vector<std::string> lines;
    bool open = true;
    while (open) {
      open = reader.read_some(lines);
      for (const auto& line : lines) {
        WorkerCommand command;
        try {
          command = decode_command(line);
        } catch (const ProtocolError& e) {
          std::fprintf(stderr, "comet worker: %s\n", e.what());
          std::_Exit(3);  // a scheduler bug or another comet version: nothing sensible to do
        }
        std::lock_guard lock(mutex_);
        if (command.type == WorkerCommand::Type::stop) stop_ = true;
        queue_.push_back(std::move(command));
      }
      lines.clear();
      if (!open) {
        std::lock_guard lock(mutex_);
        closed_ = true;
        stop_ = true;  // a closed pipe ends a running trial as a stop does
      }
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<WorkerCommand> queue_;
  bool closed_ = false;
  std::atomic<bool> stop_{false};
};

WorkerEvent event_of(WorkerEvent::Type type, const std::string& trial = "") {
  WorkerEvent event;
  event.type = type;
  event.trial = trial;
  return event;
}

struct Failure {
  FailureKind kind = FailureKind::exception;
  std::string text;
};

// Runs `step`; an exception becomes the trial's failure, out-of-memory ones with their own kind
// (the scheduler retries those: memory may be free again on another attempt), and a checkpoint
// that cannot be written as a storage failure (the scheduler stops the run).
template <typename Step>
std::optional<Failure> failure_of(Step&& step) {
  try {
    step();
  } catch (const CheckpointWriteError& e) {
    return Failure{FailureKind::storage, e.what()};
  } catch (const c10::OutOfMemoryError& e) {
    return Failure{FailureKind::out_of_memory, e.what_without_backtrace()};
  } catch (const std::bad_alloc& e) {
    return Failure{FailureKind::out_of_memory, std::string("host memory exhausted: ") + e.what()};
  } catch (const c10::Error& e) {
    return Failure{FailureKind::exception, e.what_without_backtrace()};
  } catch (const std::exception& e) {
    return Failure{FailureKind::exception, e.what()};
  }
  return std::nullopt;
}

class Worker {
 public:
  Worker(int out_fd, std::shared_ptr<CommandInbox> inbox)
      : out_fd_(out_fd), inbox_(std::move(inbox)) {}

  void configure(const WorkerSetup& setup) {
    setup_ = setup;
    set_threads(setup.threads);
    TrainerOptions options{setup.device, setup.data_root, setup.checkpoint_dir,
                           setup.checkpoint_every};
    if (const char* mb = std::getenv("COMET_MASK_CACHE_MB")) {
      // A value that is not a number leaves the default: this knob is for experts and benches.
      char* end = nullptr;
      const long long value = std::strtoll(mb, &end, 10);
      if (end != mb && *end == '\0' && value >= 0) options.mask_cache_bytes = value << 20;
    }
    // COMET_FUSED_SGD=0: every step through autograd (`comet bench --ablation`).
    if (const char* fused = std::getenv("COMET_FUSED_SGD")) {
      options.fused_sgd = std::string(fused) != "0";
    }
    trainer_ = std::make_unique<Trainer>(options);
    auto ready = event_of(WorkerEvent::Type::ready);
    ready.pid = static_cast<std::int64_t>(::getpid());
    ready.text = device_name(setup.device);
    ready.blas = blas_name();
    send(ready);
  }

  void prepare(const std::vector<sweeps::TrialSpec>& trials) {
    try {
      trainer_->load_datasets(trials);
      send(event_of(WorkerEvent::Type::prepared));
    } catch (const std::exception& e) {
      auto error = event_of(WorkerEvent::Type::error);
      error.text = e.what();
      send(error);
    }
  }

  void train(const sweeps::TrialSpec& trial, int stored_epochs);

  // A failed write means the scheduler is gone: nothing left to report to.
  void send(const WorkerEvent& event) {
    if (!write_all(out_fd_, encode(event))) std::_Exit(0);
  }

  bool configured() const { return trainer_ != nullptr; }

 private:
  int out_fd_;
  std::shared_ptr<CommandInbox> inbox_;
  WorkerSetup setup_;
  std::unique_ptr<Trainer> trainer_;
};

// Turns the trainer's callbacks into events; holds each epoch's checkpoint until it is acked.
class EventObserver : public TrialObserver {
 public:
  EventObserver(Worker& worker, CommandInbox& inbox, const std::string& trial, TrialLog& log)
      : worker_(worker), inbox_(inbox), trial_(trial), log_(log) {}

  void on_model_built(std::int64_t count) override {
    auto e = event_of(WorkerEvent::Type::model, trial_);
    e.parameters = count;
    worker_.send(e);
    log_.info(std::to_string(count) + " trainable parameters");
  }
  void on_resume(int epoch) override {
    log_.info("resumed from its checkpoint after epoch " + std::to_string(epoch));
  }
  void on_warning(const std::string& text) override {
    auto e = event_of(WorkerEvent::Type::warning, trial_);
    e.text = text;
    worker_.send(e);
    log_.warn(text);
  }
  void on_epoch(const EpochMetrics& m) override {
    auto e = event_of(WorkerEvent::Type::epoch, trial_);
    e.epoch = m.epoch;
    e.metrics = m;
    worker_.send(e);
    log_.epoch(m);
    acked_ = inbox_.wait_ack(m.epoch) ? m.epoch : 0;
  }
  bool should_stop() override { return inbox_.stop_requested(); }
  bool may_checkpoint(int epoch) override { return acked_ == epoch; }
  void on_checkpoint(int epoch) override {
    auto e = event_of(WorkerEvent::Type::checkpoint, trial_);
    e.epoch = epoch;
    worker_.send(e);
  }

 private:
  Worker& worker_;
  CommandInbox& inbox_;
  const std::string& trial_;
  TrialLog& log_;
  int acked_ = 0;
};

void Worker::train(const sweeps::TrialSpec& trial, int stored_epochs) {
  TrialLog log(setup_.log_dir, trial.id);
  log.info("attempt by worker " + std::to_string(::getpid()) + " (slot " +
           std::to_string(setup_.slot) + ") on " + setup_.device + ", " +
           std::to_string(setup_.threads) + " threads, host " + host_name());
  log.info("config " + trial.config.canonical_json());
  int resume = 0;
  std::string warning;
  auto failure = failure_of([&] {
    resume = trainer_->checkpoint_epoch(trial, &warning);
    // A checkpoint past what the database holds would leave a hole in the curve.
    if (resume > stored_epochs) {
      warning = "checkpoint after epoch " + std::to_string(resume) +
                " not used: the database holds epochs 1.." + std::to_string(stored_epochs) +
                " only; the trial starts over";
      trainer_->remove_checkpoint(trial);
      resume = 0;
    }
  });
  auto started = event_of(WorkerEvent::Type::started, trial.id);
  started.epoch = resume;
  send(started);
  EventObserver observer(*this, *inbox_, trial.id, log);
  if (!warning.empty()) observer.on_warning(warning);
  TrialResult result;
  if (!failure) failure = failure_of([&] { result = trainer_->run(trial, observer); });
  if (!failure && result.outcome == TrialOutcome::diverged) {
    failure = Failure{FailureKind::diverged, result.error};
  }
  auto end = event_of(WorkerEvent::Type::finished, trial.id);
  end.epoch = result.epochs_completed;
  if (failure) {
    end.type = WorkerEvent::Type::failed;
    end.kind = failure->kind;
    end.text = failure->text;
    log.error(std::string(to_string(failure->kind)) + ": " + failure->text);
  } else if (result.outcome == TrialOutcome::interrupted) {
    end.type = WorkerEvent::Type::interrupted;
    log.info("interrupted after epoch " + std::to_string(result.epochs_completed));
  } else {
    log.info("done after epoch " + std::to_string(result.epochs_completed));
  }
  send(end);
}

}  // namespace

int run_worker(int in_fd, int out_fd) {
  // The scheduler decides about interrupts (it put this process in its own process group);
  // a closed events pipe shows up as a failed write.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  // Events get a descriptor of their own and stdout becomes stderr: nothing a library prints
  // can corrupt the protocol.
  const int events_fd = ::dup(out_fd);
  if (events_fd < 0 || ::dup2(STDERR_FILENO, out_fd) < 0) {
    std::perror("comet worker: cannot set up its output");
    return 3;
  }
  auto inbox = CommandInbox::start(in_fd);
  Worker worker(events_fd, inbox);
  while (auto command = inbox->next()) {
    switch (command->type) {
      case WorkerCommand::Type::setup:
        // Killed with its parent; if the parent died before this line, exit now.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (command->setup.scheduler_pid != 0 &&
            static_cast<std::int64_t>(::getppid()) != command->setup.scheduler_pid) {
          return 0;
        }
        worker.configure(command->setup);
        break;
      case WorkerCommand::Type::prepare:
      case WorkerCommand::Type::trial:
        if (!worker.configured()) {
          std::fprintf(stderr, "comet worker: a %s before setup\n",
                       command->type == WorkerCommand::Type::trial ? "trial" : "prepare");
          return 3;
        }
        if (command->type == WorkerCommand::Type::prepare) {
          worker.prepare(command->trials);
        } else {
          worker.train(command->trials.at(0), command->stored_epochs);
        }
        break;
      case WorkerCommand::Type::ack:
        break;  // of an epoch whose trial already ended
      case WorkerCommand::Type::stop:
        return 0;
    }
  }
  return 0;
}

}  // namespace comet::engine
