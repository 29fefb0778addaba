#include <gtest/gtest.h>

#include <string>

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

// FIPS 180-4 example vectors (NIST); the other expected digests come from Python's hashlib.
TEST(Sha256, EmptyInput) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, OneBlockMessage) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage448Bits) {
  // 56 bytes: the length no longer fits the first padded block, so padding adds a block.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, OneMillionA) {
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, BlockBoundaryLengths) {
  // 55, 63 and 64 bytes sit on either side of the one/two padding block boundary.
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(63, 'a')),
            "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, BytesAboveAsciiAreHashedUnsigned) {
  EXPECT_EQ(sha256_hex("\xff\x80"),
            "85c61621ebd04403f66d96fe300cf10b3844de7358184f1276cb08790fd135f1");
}

TEST(TrialId, IsTheFirst16HexDigitsOfTheCanonicalJsonHash) {
  TrialConfig config({{"a", std::int64_t{1}}, {"b", 0.5}});
  ASSERT_EQ(config.canonical_json(), R"({"a":1,"b":0.5})");
  // Reference: Python's hashlib.sha256(b'{"a":1,"b":0.5}').hexdigest()[:16].
  EXPECT_EQ(trial_id(config), "2e76599baa1e42fd");
}

}  // namespace
}  // namespace comet::sweeps
