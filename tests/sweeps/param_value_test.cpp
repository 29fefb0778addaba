#include "comet/sweeps/param_value.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "comet/sweeps/sweep_error.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

TEST(CanonicalJson, SortedKeysNoSpacesRealsKeepADecimalPoint) {
  TrialConfig config({{"d", 1.0}, {"c", "x\"y"s}, {"b", 0.5}, {"a", std::int64_t{1}}});
  EXPECT_EQ(config.canonical_json(), R"({"a":1,"b":0.5,"c":"x\"y","d":1.0})");
}

TEST(CanonicalJson, EmptyConfig) { EXPECT_EQ(TrialConfig().canonical_json(), "{}"); }

TEST(TrialConfigErase, RemovesTheKeyAndIgnoresAnAbsentOne) {
  TrialConfig config({{"moe.gate", "scaled"s}, {"lr", 0.1}});
  config.erase("moe.gate");
  EXPECT_FALSE(config.has("moe.gate"));
  config.erase("absent");
  EXPECT_EQ(config.canonical_json(), R"({"lr":0.1})");
}

TEST(CanonicalJson, RealsUseShortestRoundTripText) {
  TrialConfig config({{"a", 0.001},
                      {"b", 0.1},
                      {"c", 1e-7},
                      {"d", 1e22},
                      {"e", 123456789.0},
                      {"f", -2.5},
                      {"g", 0.29}});
  EXPECT_EQ(config.canonical_json(),
            R"({"a":0.001,"b":0.1,"c":1e-07,"d":1e+22,"e":123456789.0,"f":-2.5,"g":0.29})");
}

TEST(CanonicalJson, IntegersAreDigits) {
  TrialConfig config({{"big", std::int64_t{9007199254740993}}, {"neg", std::int64_t{-4}}});
  EXPECT_EQ(config.canonical_json(), R"({"big":9007199254740993,"neg":-4})");
}

TEST(CanonicalJson, EscapesStringsPerRfc8259) {
  TrialConfig config({{"s", "q\" b\\ \b\f\n\r\t \x01\x1f /"s}});
  EXPECT_EQ(config.canonical_json(), R"({"s":"q\" b\\ \b\f\n\r\t \u0001\u001f /"})");
}

TEST(CanonicalJson, Utf8PassesThrough) {
  TrialConfig config({{"s", "caf\xc3\xa9"s}});
  EXPECT_EQ(config.canonical_json(), "{\"s\":\"caf\xc3\xa9\"}");
}

TEST(CanonicalJson, KeysAreEscapedToo) {
  TrialConfig config({{"a\"b", std::int64_t{1}}});
  EXPECT_EQ(config.canonical_json(), R"({"a\"b":1})");
}

TEST(FromJson, RoundTripsCanonicalJson) {
  TrialConfig config({{"a", std::int64_t{1}},
                      {"b", 0.5},
                      {"c", "x\"y\n\x01 caf\xc3\xa9"s},
                      {"d", 1.0},
                      {"e", 0.29},
                      {"f", 1e-7},
                      {"g", std::int64_t{-9007199254740993}}});
  TrialConfig back = TrialConfig::from_json(config.canonical_json());
  EXPECT_EQ(back, config);
  EXPECT_EQ(back.canonical_json(), config.canonical_json());
}

TEST(FromJson, NumberKindFollowsItsText) {
  TrialConfig config = TrialConfig::from_json(R"( {"i": 3, "r": 3.0, "e": 1e3, "E": 2E-1} )");
  EXPECT_EQ(config.integer("i"), 3);
  EXPECT_EQ(config.real("r"), 3.0);
  EXPECT_EQ(config.real("e"), 1000.0);
  EXPECT_EQ(config.real("E"), 0.2);
}

TEST(FromJson, RejectsWhatIsNotAnObjectOfNumbersAndStrings) {
  for (const char* bad : {"[1]", "3", R"({"a":true})", R"({"a":null})", R"({"a":[1]})",
                          R"({"a":{"b":1}})", R"({"a":1)", "", R"({"a":18446744073709551615})"}) {
    EXPECT_THROW(TrialConfig::from_json(bad), SweepError) << bad;
  }
}

TEST(FromJson, ErrorNamesTheKey) {
  try {
    TrialConfig::from_json(R"({"flag":true})");
    FAIL() << "no error";
  } catch (const SweepError& error) {
    EXPECT_STREQ(error.what(),
                 "trial config JSON: 'flag' is a JSON boolean; allowed: a number or a string");
  }
}

TEST(TrialConfig, TypedAccessors) {
  TrialConfig config({{"n", std::int64_t{7}}, {"x", 0.25}, {"s", "adam"s}});
  EXPECT_TRUE(config.has("n"));
  EXPECT_FALSE(config.has("missing"));
  EXPECT_EQ(config.integer("n"), 7);
  EXPECT_EQ(config.real("x"), 0.25);
  EXPECT_EQ(config.text("s"), "adam");
  EXPECT_EQ(std::get<std::int64_t>(config.at("n")), 7);
}

TEST(TrialConfig, AtNamesAMissingKey) {
  TrialConfig config;
  try {
    config.at("width");
    FAIL() << "no error";
  } catch (const std::out_of_range& error) {
    EXPECT_STREQ(error.what(), "trial config has no parameter 'width'");
  }
}

TEST(TrialConfig, TypeMismatchIsALogicError) {
  TrialConfig config({{"n", std::int64_t{7}}, {"x", 0.25}});
  EXPECT_THROW(config.real("n"), std::logic_error);  // no silent integer -> real
  EXPECT_THROW(config.integer("x"), std::logic_error);
  EXPECT_THROW(config.text("n"), std::logic_error);
  try {
    config.integer("x");
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "trial parameter 'x' is a real, not an integer");
  }
}

TEST(TrialConfig, SetReplacesAValue) {
  TrialConfig config;
  config.set("lr", 0.1);
  config.set("lr", 0.2);
  EXPECT_EQ(config.values().size(), 1U);
  EXPECT_EQ(config.real("lr"), 0.2);
}

TEST(ToDisplay, FormatsEachKind) {
  EXPECT_EQ(to_display(ParamValue{std::int64_t{-3}}), "-3");
  EXPECT_EQ(to_display(ParamValue{0.001}), "0.001");
  EXPECT_EQ(to_display(ParamValue{1.0}), "1.0");
  EXPECT_EQ(to_display(ParamValue{"relu"s}), "relu");
}

}  // namespace
}  // namespace comet::sweeps
