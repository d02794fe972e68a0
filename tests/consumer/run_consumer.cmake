# Runs one consumer test; see CMakeLists.txt beside this file.
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(_configure -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release)

if(MODE STREQUAL "install")
  run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
  run(${CMAKE_COMMAND} -S "${CONSUMER_DIR}/find_package" -B "${WORK_DIR}/build" ${_configure}
      "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
elseif(MODE STREQUAL "wheel")
  run(${PYTHON} -m fairer --cmakedir)
  string(STRIP "${LAST_OUTPUT}" _dir)
  run(${CMAKE_COMMAND} -S "${CONSUMER_DIR}/find_package" -B "${WORK_DIR}/build" ${_configure}
      "-Dfairer_DIR=${_dir}")
elseif(MODE STREQUAL "subdir")
  run(${CMAKE_COMMAND} -S "${CONSUMER_DIR}/add_subdirectory" -B "${WORK_DIR}/build" ${_configure}
      "-DFAIRER_SOURCE_DIR=${SOURCE_DIR}")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/consumer")
message(STATUS "${LAST_OUTPUT}")
if(NOT LAST_OUTPUT MATCHES "fairer [0-9]+\\.[0-9]+\\.[0-9]+: 22 indicators")
  message(FATAL_ERROR "unexpected consumer output: ${LAST_OUTPUT}")
endif()
