"""A scam message drawn as a screenshot at /tmp/shot.png, in the image (deploy/smoke.sh), for
`hocso scamcheck` to read with Tesseract: ASCII text, since Pillow's default font has no
Vietnamese letters."""

from PIL import Image, ImageDraw, ImageFont

LINES = [
    "Chuc mung! Ban da trung thuong 100 trieu dong.",
    "Bam vao http://nhan-qua-ngay.xyz va nhap ma OTP de nhan.",
]
img = Image.new("RGB", (1400, 260), "white")
draw = ImageDraw.Draw(img)
font = ImageFont.load_default(size=40)
for i, line in enumerate(LINES):
    draw.text((30, 40 + 90 * i), line, fill="black", font=font)
img.save("/tmp/shot.png")
