"""Alerts: detect unusual movement in the conversation and notify the people who follow it."""
