"""Services: verbs over the store and the outside world, each taking its dependencies explicitly."""
