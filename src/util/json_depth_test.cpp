#include "util/json_depth.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tglead::util {
namespace {

TEST(UtilJsonDepth, CountsObjectsAndArrays) {
  EXPECT_TRUE(json_depth_within(R"({"a":[{"b":1}]})", 3));
  EXPECT_FALSE(json_depth_within(R"({"a":[{"b":1}]})", 2));
  EXPECT_TRUE(json_depth_within("", 0));
}

TEST(UtilJsonDepth, BracketsInsideStringsDoNotCount) {
  EXPECT_TRUE(json_depth_within(R"({"a":"[[[[{{{{"})", 1));
  EXPECT_TRUE(json_depth_within(R"({"a":"\"[[[["})", 1));
  EXPECT_FALSE(json_depth_within(R"({"a":"\\",  "b":[[1]]})", 2));
}

TEST(UtilJsonDepth, HugeNestingIsRejectedWithoutRecursion) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_FALSE(json_depth_within(deep));
  EXPECT_TRUE(json_depth_within(std::string(64, '[') + std::string(64, ']')));
}

}  // namespace
}  // namespace tglead::util
