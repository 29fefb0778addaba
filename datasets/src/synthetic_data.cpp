#include "synthetic_data.h"

#include <charconv>
#include <cmath>
#include <numbers>
#include <string>

#include "splitmix64.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {

namespace {

// Standard normal draws by Box-Muller, both values of a pair used. Sums, products and sqrt are
// correctly rounded everywhere; log, cos and sin come from libm, whose last bit may differ
// between libms, but every result is rounded to float, where such a difference shows in about
// one draw in 2^29.
class Gaussian {
 public:
  explicit Gaussian(std::uint64_t seed) : bits_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    constexpr double kUnit = 0x1.0p-53;
    const double u1 = static_cast<double>((bits_.next() >> 11) + 1) * kUnit;  // (0, 1]: log ok
    const double u2 = static_cast<double>(bits_.next() >> 11) * kUnit;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  SplitMix64 bits_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Independent streams per purpose: hashing (seed, stream) keeps them from being shifted copies
// of one another, as seed + k would be for splitmix64.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  return SplitMix64(seed ^ SplitMix64(stream).next()).next();
}

enum Stream : std::uint64_t { kCentres = 1, kTrainNoise = 2, kTestNoise = 3 };

const std::string* find_option(const ReaderContext& context, const std::string& key) {
  const auto it = context.options.find(key);
  return it == context.options.end() ? nullptr : &it->second;
}

DatasetError bad_option(const ReaderContext& context, const std::string& key,
                        const std::string& value, const std::string& allowed) {
  return DatasetError("dataset '" + context.name + "': option '" + key + "' is '" + value +
                      "'; allowed: " + allowed);
}

template <typename T>
bool parse_whole(const std::string& text, T& out) {
  const auto [stop, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && stop == text.data() + text.size();
}

std::int64_t positive_int(const ReaderContext& context, const std::string& key,
                          std::int64_t fallback) {
  const auto* text = find_option(context, key);
  if (text == nullptr) return fallback;
  std::int64_t value = 0;
  if (!parse_whole(*text, value) || value < 1) {
    throw bad_option(context, key, *text,
                     "an integer >= 1 (default " + std::to_string(fallback) + ")");
  }
  return value;
}

RawTable generate(const std::vector<double>& centres, std::int64_t rows, std::int64_t dims,
                  std::int64_t classes, std::uint64_t seed) {
  RawTable t;
  t.rows = rows;
  t.cols = dims;
  t.floats.resize(static_cast<std::size_t>(rows * dims));
  t.labels.resize(static_cast<std::size_t>(rows));
  Gaussian noise(seed);
  for (std::int64_t i = 0; i < rows; ++i) {
    // Round-robin, not drawn: classes are balanced to within one example in every split.
    const auto label = i % classes;
    t.labels[i] = label;
    for (std::int64_t d = 0; d < dims; ++d) {
      t.floats[i * dims + d] = static_cast<float>(centres[label * dims + d] + noise.next());
    }
  }
  return t;
}

}  // namespace

RawData read_synthetic_clusters(const ReaderContext& context) {
  const auto dims = positive_int(context, "dims", 10);
  const auto classes = positive_int(context, "classes", 2);
  const auto count = positive_int(context, "count", 1000);
  double separation = 3.0;
  if (const auto* text = find_option(context, "separation")) {
    if (!parse_whole(*text, separation) || !std::isfinite(separation) || separation < 0) {
      throw bad_option(context, "separation", *text, "a finite number >= 0 (default 3.0)");
    }
  }
  std::uint64_t seed = 0;
  if (const auto* text = find_option(context, "seed"); text && !parse_whole(*text, seed)) {
    throw bad_option(context, "seed", *text, "an integer >= 0 (default 0)");
  }
  // 2^31 floats (8 GiB) is far beyond what a synthetic sweep needs; it also bounds the
  // products below away from overflow.
  constexpr std::int64_t kMaxFloats = std::int64_t{1} << 31;
  const auto test_count = count / 4;
  if (dims > kMaxFloats / (count + test_count) || classes > kMaxFloats / dims) {
    throw DatasetError("dataset '" + context.name + "': dims " + std::to_string(dims) +
                       " x count " + std::to_string(count) + " (plus count/4 test examples) or " +
                       "dims x classes exceeds 2^31 values");
  }

  // Centres ~ N(0, separation^2 I): each coordinate is separation * N(0, 1), so two centres lie
  // separation * sqrt(2 * dims) apart on average (noise per coordinate is N(0, 1)), and
  // separation 0 puts every class on the origin: indistinguishable classes.
  std::vector<double> centres(static_cast<std::size_t>(classes * dims));
  Gaussian centre_draws(stream_seed(seed, kCentres));
  for (auto& c : centres) c = separation * centre_draws.next();

  RawData raw;
  raw.task = Task::classification;
  raw.outputs = classes;
  raw.train = generate(centres, count, dims, classes, stream_seed(seed, kTrainNoise));
  raw.test = generate(centres, test_count, dims, classes, stream_seed(seed, kTestNoise));
  raw.normalisation.from_training_split = true;
  raw.normalisation.source = "training split";
  return raw;
}

std::vector<std::vector<float>> section41_vectors(std::int64_t count, std::uint64_t seed,
                                                  std::int64_t length) {
  if (count < 0 || length < 1) {
    throw DatasetError("section41_vectors: count " + std::to_string(count) + " and length " +
                       std::to_string(length) + "; allowed: count >= 0, length >= 1");
  }
  SplitMix64 means(stream_seed(seed, 1));
  Gaussian noise(stream_seed(seed, 2));
  std::vector<std::vector<float>> out(static_cast<std::size_t>(count));
  for (auto& vector : out) {
    const auto mu = static_cast<double>(means.below(101));  // integer in [0, 100]
    vector.resize(static_cast<std::size_t>(length));
    for (auto& x : vector) x = static_cast<float>(mu + 5.0 * noise.next());
  }
  return out;
}

}  // namespace comet::datasets
