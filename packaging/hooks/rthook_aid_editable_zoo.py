"""PyInstaller runtime hook: import ``aid.model_zoo`` from the editable file.

Runs before the app's code, so the registry's ``import aid.model_zoo`` (and
"Reload zoo") read ``model_zoo.py`` next to the executable instead of the copy
frozen into the archive (which stays as the fallback if the file is removed).
"""

from aid.frozen import install_editable_zoo

install_editable_zoo()
