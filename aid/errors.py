"""Typed errors raised by the AID core.

Only the GUI decides how to show them; the CLI prints ``str(error)``. Every
message is written for the person using the app: it says what was wrong and,
where possible, what to do.
"""


class AidError(Exception):
    """Base class of every error the AID core raises on purpose."""


class RtdcFormatError(AidError):
    """An ``.rtdc`` file cannot be used (missing images, zero events, bad HDF5)."""


class ImageImportError(AidError):
    """Images could not be imported (empty folder, nothing decodable, bad zip)."""


class DatasetError(AidError):
    """A dataset table or session file is invalid."""


class PreprocessError(AidError):
    """Preprocessing settings are invalid or do not fit the data."""


class ConfigError(AidError):
    """A configuration value is invalid (wrong type, out of range, unknown key)."""


class ZooError(AidError):
    """A model-zoo request cannot be served (unknown name, input too small)."""


class ZooLoadError(ZooError):
    """A model-zoo source file failed to load (syntax or runtime error)."""


class ModelLoadError(AidError):
    """A saved model or its metadata cannot be loaded."""


class TrainingError(AidError):
    """Training cannot start or continue."""


class ExportError(AidError):
    """A model cannot be exported as requested."""


class AssessmentError(AidError):
    """A model cannot be assessed or applied as requested (bad labels, no conv)."""
