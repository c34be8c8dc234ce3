"""The PyQt5 desktop application: the only package that imports Qt."""
