"""Image augmentation: settings, pure operations, the batch pipeline and previews."""

from aid.augment.config import AugmentConfig
from aid.augment.pipeline import Augmenter
from aid.augment.preview import preview_pairs

__all__ = ["AugmentConfig", "Augmenter", "preview_pairs"]
