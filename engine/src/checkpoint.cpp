#include "checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>

namespace comet::engine {

namespace {

// Bumped when the archive's keys or their meaning change: an older file is then refused (and
// the trial starts over) rather than misread.
constexpr std::int64_t kFormat = 1;

using OutputArchive = torch::serialize::OutputArchive;
using InputArchive = torch::serialize::InputArchive;

at::Tensor generator_state(at::Generator generator) {
  // Generators are not thread-safe; torch's own Python bindings hold this lock too.
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_generator_state(at::Generator generator, const at::Tensor& state) {
  std::lock_guard<std::mutex> lock(generator.mutex());
  // Read onto a CUDA device, the state tensors are there too; set_state wants a CPU tensor.
  generator.set_state(state.cpu());
}

void sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    throw CheckpointWriteError("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) {
    throw CheckpointWriteError("cannot sync " + path.string() + ": " + std::strerror(error));
  }
}

// A file written through torch's archive writer, with the system's reason for a failed write.
// torch's own file writer reports one without its reason ("file write failed"), and a writer
// that fails inside torch's zip writer may end in std::terminate from its destructor; so the
// callback never fails: it records the first errno and drops the rest, and the caller reports
// it once torch is done.
class SyncedFile {
 public:
  explicit SyncedFile(const std::filesystem::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) error_ = errno;
  }
  SyncedFile(const SyncedFile&) = delete;
  SyncedFile& operator=(const SyncedFile&) = delete;
  ~SyncedFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::size_t write(const void* data, std::size_t size) {
    const char* bytes = static_cast<const char*>(data);
    for (std::size_t done = 0; done < size && error_ == 0;) {
      const auto n = ::write(fd_, bytes + done, size - done);
      if (n < 0 && errno != EINTR) error_ = errno;
      if (n > 0) done += static_cast<std::size_t>(n);
    }
    return size;
  }

  // fsyncs and closes the file; on any failure removes it and throws CheckpointWriteError
  // naming it and the reason (No space left on device, File too large).
  void finish() {
    if (error_ == 0 && ::fsync(fd_) != 0) error_ = errno;
    if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    if (error_ != 0) {
      discard();
      throw CheckpointWriteError("cannot write checkpoint " + path_.string() + ": " +
                                 std::strerror(error_));
    }
  }
  void discard() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  int error_ = 0;
};

std::vector<std::vector<std::int64_t>> parameter_shapes(models::Network& network) {
  std::vector<std::vector<std::int64_t>> shapes;
  for (const auto& p : network.trainable_parameters()) shapes.push_back(p.sizes().vec());
  return shapes;
}

c10::IValue read_value(InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  return value;
}

}  // namespace

GlobalGenerators GlobalGenerators::capture(const torch::Device& device) {
  GlobalGenerators out;
  out.cpu = generator_state(at::detail::getDefaultCPUGenerator());
  // Guarded at run time: on a CPU-only LibTorch the CUDA generator does not exist.
  if (device.is_cuda()) out.cuda = generator_state(at::globalContext().defaultGenerator(device));
  return out;
}

void GlobalGenerators::apply(const torch::Device& device) const {
  set_generator_state(at::detail::getDefaultCPUGenerator(), cpu);
  if (device.is_cuda() && cuda.defined()) {
    set_generator_state(at::globalContext().defaultGenerator(device), cuda);
  }
}

void write_checkpoint(const std::filesystem::path& file, const sweeps::TrialSpec& trial, int epoch,
                      const TrainingState& state, const StepPosition* position) {
  auto tmp = file;
  tmp += ".tmp";
  OutputArchive archive;
  try {
    archive.write("format", c10::IValue(kFormat));
    archive.write("trial_id", c10::IValue(trial.id));
    // The whole configuration, not only its id: the id hashes it without keys at their default.
    archive.write("config", c10::IValue(trial.config.canonical_json()));
    archive.write("epoch", c10::IValue(static_cast<std::int64_t>(epoch)));
    OutputArchive network(archive.compilation_unit());
    state.network.save(network);
    archive.write("network", network);
    OutputArchive optimizer(archive.compilation_unit());
    state.optimizer.save(optimizer);
    archive.write("optimizer", optimizer);
    archive.write("rng_data_order", generator_state(state.data_order), /*is_buffer=*/true);
    const auto global = GlobalGenerators::capture(state.device);
    archive.write("rng_cpu", global.cpu, /*is_buffer=*/true);
    if (global.cuda.defined()) archive.write("rng_cuda", global.cuda, /*is_buffer=*/true);
    if (position != nullptr) {
      archive.write("position_step", c10::IValue(position->step));
      archive.write("position_pass", c10::IValue(position->pass));
      archive.write("position_micro", c10::IValue(position->micro_in_pass));
      archive.write("position_train_seconds", c10::IValue(position->train_seconds));
      archive.write("position_loss_scale", c10::IValue(position->loss_scale));
      archive.write("position_good_steps", c10::IValue(position->good_steps));
    }
  } catch (const c10::Error& e) {
    throw CheckpointError("cannot write checkpoint " + tmp.string() + ": " +
                          e.what_without_backtrace());
  }
  std::error_code ec;
  if (!file.parent_path().empty()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    throw CheckpointWriteError("cannot write checkpoint " + file.string() + ": cannot create " +
                               file.parent_path().string() + ": " + ec.message());
  }
  // Streamed (a checkpoint of a width-9000 network is gigabytes); the data must be on disk
  // before the rename makes it the checkpoint, and the rename itself before the trainer goes on
  // (the folder's entry is synced too).
  SyncedFile out(tmp);
  try {
    archive.save_to([&out](const void* data, std::size_t size) { return out.write(data, size); });
  } catch (const c10::Error& e) {
    out.discard();
    throw CheckpointError("cannot write checkpoint " + tmp.string() + ": " +
                          e.what_without_backtrace());
  }
  out.finish();
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw CheckpointWriteError("cannot rename " + tmp.string() + " to " + file.string() + ": " +
                               ec.message());
  }
  sync_path(file.parent_path().empty() ? "." : file.parent_path(), O_RDONLY | O_DIRECTORY);
}

RestoredCheckpoint restore_checkpoint(const std::filesystem::path& file,
                                      const sweeps::TrialSpec& trial, TrainingState& state) {
  RestoredCheckpoint out;
  try {
    InputArchive archive;
    archive.load_from(file.string(), state.device);
    const auto format = read_value(archive, "format");
    if (!format.isInt() || format.toInt() != kFormat) {
      throw CheckpointError("written in another checkpoint format");
    }
    const auto id = read_value(archive, "trial_id");
    if (!id.isString() || id.toStringRef() != trial.id) {
      throw CheckpointError("it belongs to trial " + (id.isString() ? id.toStringRef() : "?"));
    }
    const auto config = read_value(archive, "config");
    if (!config.isString() || config.toStringRef() != trial.config.canonical_json()) {
      throw CheckpointError("it was written for another configuration");
    }
    const auto epoch = read_value(archive, "epoch");
    c10::IValue step;
    out.has_position = archive.try_read("position_step", step);
    // Step-based training counts records, which its configuration bounds only with the data.
    if (!epoch.isInt() || epoch.toInt() < 1 ||
        (!out.has_position && epoch.toInt() > trial.config.integer("epochs"))) {
      throw CheckpointError("its epoch count is out of range");
    }
    out.epoch = static_cast<int>(epoch.toInt());
    if (out.has_position) {
      out.position.step = step.toInt();
      out.position.pass = read_value(archive, "position_pass").toInt();
      out.position.micro_in_pass = read_value(archive, "position_micro").toInt();
      out.position.train_seconds = read_value(archive, "position_train_seconds").toDouble();
      out.position.loss_scale = read_value(archive, "position_loss_scale").toDouble();
      out.position.good_steps = read_value(archive, "position_good_steps").toInt();
    }

    const auto shapes = parameter_shapes(state.network);
    InputArchive network;
    archive.read("network", network);
    state.network.load(network);
    // torch adopts a stored tensor's shape silently; a network of this config has fixed ones.
    if (parameter_shapes(state.network) != shapes) {
      throw CheckpointError("its parameters do not have this network's shapes");
    }
    InputArchive optimizer;
    archive.read("optimizer", optimizer);
    state.optimizer.load(optimizer);

    at::Tensor data_order;
    archive.read("rng_data_order", data_order, /*is_buffer=*/true);
    set_generator_state(state.data_order, data_order);
    archive.read("rng_cpu", out.global.cpu, /*is_buffer=*/true);
    out.global.cpu = out.global.cpu.cpu();
    // A checkpoint from a CPU run resumed on a GPU has no CUDA state: the GPU's generator keeps
    // the trial's seed. (Bit-exact resume is promised on one device only.)
    if (state.device.is_cuda() &&
        archive.try_read("rng_cuda", out.global.cuda, /*is_buffer=*/true)) {
      out.global.cuda = out.global.cuda.cpu();
    }
  } catch (const c10::Error& e) {
    throw CheckpointError(e.what_without_backtrace());
  }
  return out;
}

}  // namespace comet::engine
