"""Investigation patrols and area sign-off."""
