# COMET_GIT_REVISION: the commit the binary was built from ("unknown" outside a checkout).
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE COMET_GIT_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR NOT COMET_GIT_REVISION)
  set(COMET_GIT_REVISION "unknown")
endif()
