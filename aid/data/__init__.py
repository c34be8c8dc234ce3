"""Core data layer: RT-DC files, image import, dataset tables, preprocessing, sampling."""
