"""RSS 2.0 and Atom feeds: public (daily, trending, search, category) and private."""
