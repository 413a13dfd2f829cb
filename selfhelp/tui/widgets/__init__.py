"""Widgets of the conversation: messages, the choice list, the paste box and the flow tree."""
