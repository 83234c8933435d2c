"""Plugins that each make one mistake, for the plugin-validation tests."""
