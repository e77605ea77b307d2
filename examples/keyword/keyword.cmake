# The keyword example's generated files in OUT: train.py (PyTorch) writes the
# front end (a ctml.dsp Pipeline), the CNN and the test clips; `ctml convert`
# makes the two headers; `ctml vectors --policy int8` the host build's int8
# classes for the device's test clips (integer arithmetic: every port must
# give them). Used by examples/CMakeLists.txt and tests/target/CMakeLists.txt.
function(ctml_keyword_files out)
  set(src ${PROJECT_SOURCE_DIR}/examples/keyword)
  file(GLOB_RECURSE gen CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/generator/ctml/*.py)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/ctml/*.hpp)
  set(env ${CMAKE_COMMAND} -E env PYTHONPATH=${PROJECT_SOURCE_DIR}/generator PYTHONDONTWRITEBYTECODE=1)
  add_custom_command(OUTPUT ${out}/kws_cnn.pt ${out}/kws_frontend.joblib ${out}/spec_test.npy ${out}/kws_data.hpp
    COMMAND ${env} ${CTML_PYTHON} ${src}/train.py ${out}
    DEPENDS ${src}/train.py ${gen} COMMENT "Training the keyword CNN (PyTorch)")
  add_custom_command(OUTPUT ${out}/kws_frontend.hpp ${out}/kws_cnn.hpp ${out}/kws_int8_vectors.hpp
    COMMAND ${env} ${CTML_PYTHON} -m ctml convert ${out}/kws_frontend.joblib --name kws_frontend -o ${out}/kws_frontend.hpp
    COMMAND ${env} ${CTML_PYTHON} -m ctml convert ${out}/kws_cnn.pt --name kws_cnn -o ${out}/kws_cnn.hpp
    COMMAND ${env} ${CTML_PYTHON} -m ctml vectors ${out}/kws_cnn.pt --data ${out}/spec_test.npy --rows 60 --policy int8
            --name kws_int8 -o ${out}/kws_int8_vectors.hpp
    DEPENDS ${out}/kws_cnn.pt ${out}/kws_frontend.joblib ${out}/spec_test.npy ${gen} ${headers}
    COMMENT "ctml: converting the keyword front end and CNN")
endfunction()
