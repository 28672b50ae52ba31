"""Web pages for leaders and staff: the chat's figures and tools in a browser (issue 13)."""
