"""Training engine: AIDeveloper-style epochs, live parameters, checkpoints, resume.

The entry points are :func:`aid.train.run.run_training`,
:func:`aid.train.run.resume_training` and :func:`aid.train.lr_find.lr_range_test`.
"""

from aid.train.devices import prepare_environment

# Before any submodule imports Keras (and so TensorFlow or JAX): grow GPU memory
# on demand instead of reserving it all at start.
prepare_environment()
