"""Date and time formats as people of each language write them (FORMAT_MODULE_PATH)."""
