"""An example third-party gigs plugin."""
