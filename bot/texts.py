"""Every word a person reads, in one place.

Learner-facing strings use {ong_ba}/{Ong_ba} for the chosen address form and {ten} for the
name; `bot.core.voice` fills them. Keep messages short: one idea, plain words, no English.
"""

# --- command line (operators and staff) ---
CLI_CONTENT_OK = "✅ Nội dung hợp lệ."
CLI_CONTENT_ERRORS = "❌ Có {n} lỗi trong nội dung:"
