"""Training engine: AIDeveloper-style epochs, live parameters, checkpoints, resume.

The entry points are :func:`aid.train.run.run_training`,
:func:`aid.train.run.resume_training` and :func:`aid.train.lr_find.lr_range_test`.
"""
