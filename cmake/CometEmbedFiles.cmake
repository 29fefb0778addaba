# comet_embed_files(<output.cpp> <name>=<file> ...): at build time, writes a C++ file that
# holds each file's bytes as an array and a table `kEmbeddedFiles` of {name, bytes}
# (cli/src/serve_assets.h declares it). The files are dependencies: editing one regenerates it.
function(comet_embed_files output)
  set(names)
  set(files)
  foreach(pair ${ARGN})
    string(REPLACE "=" ";" parts "${pair}")
    list(GET parts 0 name)
    list(GET parts 1 file)
    list(APPEND names "${name}")
    list(APPEND files "${file}")
  endforeach()
  string(REPLACE ";" "|" names_arg "${names}")
  string(REPLACE ";" "|" files_arg "${files}")
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${output}" "-DNAMES=${names_arg}" "-DFILES=${files_arg}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding ${names}"
    VERBATIM)
endfunction()
