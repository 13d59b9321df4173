"""What volunteers carry for the job itself: the know-your-rights card and training material."""
