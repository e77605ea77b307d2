# ctml_sound_level_headers(<out dir>): design.py derives the A-weighting filter
# and the test stream into <out dir>; `ctml convert` turns the SOSFilter
# pipeline into a_weighting.hpp. Used by the host example and tests/target.
function(ctml_sound_level_headers out)
  set(env ${CMAKE_COMMAND} -E env PYTHONPATH=${PROJECT_SOURCE_DIR}/generator PYTHONDONTWRITEBYTECODE=1)
  file(GLOB_RECURSE generator_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/generator/ctml/*.py)
  add_custom_command(OUTPUT ${out}/a_weighting.hpp ${out}/sound_level_data.hpp
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${env} ${CTML_PYTHON} ${PROJECT_SOURCE_DIR}/examples/sound_level/design.py ${out}
    COMMAND ${env} ${CTML_PYTHON} -m ctml convert ${out}/a_weighting.joblib --name a_weighting -o ${out}/a_weighting.hpp
    DEPENDS ${PROJECT_SOURCE_DIR}/examples/sound_level/design.py ${generator_sources}
    COMMENT "sound_level: A-weighting filter and test stream")
endfunction()
