"""Học Số: a chatbot that teaches older people basic digital skills."""
