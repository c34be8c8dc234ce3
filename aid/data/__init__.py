"""Core data layer: RT-DC files, image import, tables, preprocessing, sampling."""
