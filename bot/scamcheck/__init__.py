"""«Cháu xem giúp tin này»: is a message, a link, a screenshot or a QR code likely a scam?

Channel-agnostic and synchronous (CPU work): callers in the bot run it with
`asyncio.to_thread` so a check never blocks other conversations. Nothing is stored here.

    check_text(text) -> Verdict       check_image(path) -> Verdict
"""

from bot.scamcheck.check import Verdict, check_image, check_text, has_contact

__all__ = ["Verdict", "check_image", "check_text", "has_contact"]
