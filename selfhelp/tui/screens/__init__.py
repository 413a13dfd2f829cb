"""The app's screens: flow picker, conversation, and the modal helpers (help, note, search)."""
