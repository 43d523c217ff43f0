"""The feed: periods (day, week, month), listings and trending."""
