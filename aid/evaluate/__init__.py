"""Assessment of models on labelled data and classification of new data.

Modules: :mod:`~aid.evaluate.metrics` (confusion matrix with events per cell,
report, ROC/PR, histograms), :mod:`~aid.evaluate.threshold` (sorting class,
enrichment, yield), :mod:`~aid.evaluate.predict` (streaming prediction, CSV/xlsx
and userdef ``.rtdc`` outputs), :mod:`~aid.evaluate.assess` (the assess flow),
:mod:`~aid.evaluate.gradcam`, :mod:`~aid.evaluate.timing`,
:mod:`~aid.evaluate.report`. Nothing heavy is imported here.
"""
