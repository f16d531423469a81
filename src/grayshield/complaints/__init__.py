"""Complaint early warning: who is about to complain, why, whether a gang is behind it, and what to do first.

Built on the feature catalogue (``grayshield.features``), the model blocks (``grayshield.models``) and the
front-end strategies (``grayshield.strategies``); the CLI and the console are thin shells over this package.
"""
