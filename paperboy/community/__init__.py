"""What readers do together: votes, comments, submissions, moderation."""
