# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)            # libtorch-dev (CPU) or a CUDA LibTorch via CMAKE_PREFIX_PATH
find_package(yaml-cpp REQUIRED)         # libyaml-cpp-dev
find_package(fmt REQUIRED)              # libfmt-dev
find_package(spdlog REQUIRED)           # libspdlog-dev
find_package(CLI11 REQUIRED)            # libcli11-dev
find_package(nlohmann_json 3 REQUIRED)  # nlohmann-json3-dev
find_package(SQLite3 REQUIRED)          # libsqlite3-dev

# yaml-cpp 0.7's config exports the target as `yaml-cpp` (no namespace).
if(NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp INTERFACE IMPORTED)
  set_target_properties(yaml-cpp::yaml-cpp PROPERTIES INTERFACE_LINK_LIBRARIES yaml-cpp)
endif()

# One precompiled header for every target that includes torch (models/, datasets/,
# engine/ and their tests): parsing torch/torch.h costs ~20 s per translation unit.
add_library(comet_torch_pch OBJECT ${CMAKE_SOURCE_DIR}/cmake/torch_pch.cpp)
target_link_libraries(comet_torch_pch PUBLIC ${TORCH_LIBRARIES})
target_compile_options(comet_torch_pch PUBLIC ${TORCH_CXX_FLAGS})
target_precompile_headers(comet_torch_pch PUBLIC <torch/torch.h>)
comet_configure_target(comet_torch_pch)

# comet_use_torch(<target>): link torch and reuse the shared precompiled header.
# Its sources are also compiled as unity batches: loading the 600 MB precompiled header costs
# ~6 s per translation unit, and sibling files instantiate the same torch templates, so 8 files
# in one unit build ~3x faster than 8 units (docs/performance.md). Sources that do not include
# torch opt out with SKIP_PRECOMPILE_HEADERS and SKIP_UNITY_BUILD_INCLUSION.
function(comet_use_torch target)
  target_link_libraries(${target} PRIVATE ${TORCH_LIBRARIES})
  target_compile_options(${target} PRIVATE ${TORCH_CXX_FLAGS})
  target_precompile_headers(${target} REUSE_FROM comet_torch_pch)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ${COMET_UNITY_BUILD}
                                             UNITY_BUILD_BATCH_SIZE 8)
endfunction()
