"""Every word a person reads, in one place.

Learner-facing strings use {ong_ba} / {Ong_ba} for the chosen address form (ông, bà, bác, cô,
chú) and {ten} for "address form + name"; the bot calls itself "cháu". Keep each message short:
one idea, plain words, no English, no timers.
"""

# --- button labels ---
BTN_AGREE = "Đồng ý"
BTN_DISAGREE = "Không đồng ý"
BTN_MORE = "Tìm hiểu thêm"
BTN_SKIP = "Bỏ qua"
BTN_NEXT = "Tiếp"
BTN_BACK = "Quay lại"
BTN_MENU = "Về menu"
BTN_LEARN = "Học bài mới"
BTN_REVIEW = "Ôn tập"
BTN_PROGRESS = "Tiến độ của tôi"
BTN_HELP = "Trợ giúp"
BTN_REGISTER = "Đăng ký lưu tiến độ"
BTN_START_LESSON = "Bắt đầu"
BTN_RESUME = "Học tiếp"
BTN_OTHER_TOPIC = "Chọn chủ đề khác"
BTN_NEXT_LESSON = "Học bài tiếp"
BTN_REVIEW_MORE = "Ôn tiếp"
BTN_PRACTICE = "Luyện tình huống"
BTN_PRACTICE_MORE = "Luyện tình huống khác"
BTN_DELETE_ME = "Xóa thông tin của tôi"
BTN_DELETE_YES = "Xóa hết"
BTN_DELETE_NO = "Không xóa"
ADDRESS_FORMS = ("ông", "bà", "bác", "cô", "chú")
DEFAULT_ADDRESS = "bác"

# --- consent (Nghị định 13/2023/NĐ-CP) ---
WELCOME = (
    "Cháu chào {ong_ba}! Cháu là Học Số 📱. Cháu giúp {ong_ba} học dùng điện thoại: "
    "làm thủ tục trên mạng, trả tiền qua ngân hàng, mua hàng trên mạng và tránh bị lừa."
)
CONSENT = (
    "Để nhớ {ong_ba} học đến đâu, cháu cần lưu: tiến độ học, xã/phường nơi {ong_ba} ở, "
    "năm sinh và tên gọi (nếu {ong_ba} muốn); giới tính, hoàn cảnh chỉ khi {ong_ba} muốn nói.\n"
    "Chỉ Hội Người cao tuổi ở địa phương được xem, để giúp {ong_ba} học.\n"
    "Cháu không hỏi số điện thoại, số căn cước hay tài khoản ngân hàng.\n\n"
    "{Ong_ba} có đồng ý không ạ?"
)
CONSENT_MORE = (
    "Theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, {ong_ba} có quyền biết cháu lưu "
    "gì, xem lại, sửa, và xóa hết bất cứ lúc nào (trong mục Trợ giúp).\n"
    "Nếu không đồng ý, {ong_ba} vẫn đọc bài được, chỉ là cháu không nhớ tiến độ.\n\n"
    "{Ong_ba} có đồng ý không ạ?"
)
CONSENT_REFUSED = (
    "Dạ, cháu hiểu ạ. Cháu không lưu thông tin gì của {ong_ba}.\n"
    "{Ong_ba} vẫn đọc bài được, chỉ là cháu không nhớ tiến độ. "
    "Khi nào muốn, {ong_ba} bấm «Đăng ký lưu tiến độ» ạ."
)

# --- sign-up ---
ASK_ADDRESS = "Cảm ơn ạ! Cháu nên gọi mình là ông, bà, bác, cô hay chú ạ?"
ASK_NAME = (
    "Dạ. Cháu gọi {ong_ba} bằng tên gì ạ? Ví dụ: Lan, Minh.\n{Ong_ba} gõ tên, hoặc bấm «Bỏ qua»."
)
NAME_BAD = "Tên chỉ gồm chữ, ngắn thôi ạ (ví dụ: Lan). {Ong_ba} gõ lại, hoặc bấm «Bỏ qua»."
ASK_BIRTH_YEAR = "{Ong_ba} sinh năm nào ạ? {Ong_ba} gõ 4 số, ví dụ: 1958."
BIRTH_YEAR_BAD = "Cháu chưa đọc được năm sinh ạ. {Ong_ba} gõ 4 số, ví dụ: 1958."
BIRTH_YEAR_ASK_BACK = (
    "{Ong_ba} sinh năm {year} hay năm nay {n} tuổi ạ? {Ong_ba} bấm một nút giúp cháu."
)
BTN_BORN_IN = "Sinh năm {year}"
BTN_AGED = "{n} tuổi (sinh năm {year})"
BIRTH_YEAR_RANGE = "Năm {year} có vẻ chưa đúng ạ. {Ong_ba} gõ lại năm sinh, ví dụ: 1958."
HELPER_NOTE = (
    "Dạ, {ong_ba} chưa đến 60 tuổi, cháu ghi {ong_ba} là người hỗ trợ "
    "(con cháu, cán bộ, tình nguyện viên). {Ong_ba} vẫn học đủ các bài ạ."
)
ASK_PROVINCE = "{Ong_ba} đang ở tỉnh, thành phố nào ạ? {Ong_ba} gõ tên, ví dụ: Thái Nguyên."
ASK_COMMUNE = "{Ong_ba} ở xã, phường nào của {province} ạ? {Ong_ba} gõ tên, ví dụ: {example}."
PLACES_FOUND = (
    "Cháu tìm thấy:\n{lines}\n\n{Ong_ba} bấm hoặc gõ số đúng. Không thấy thì gõ lại tên ạ."
)
PLACES_MANY = "Có {n} nơi giống tên này, đây là 5 nơi đầu. Không thấy thì {ong_ba} gõ thêm chữ ạ."
PLACES_NONE = "Cháu chưa tìm thấy «{query}» ạ. {Ong_ba} gõ lại tên, ví dụ: {example}."
SIGNUP_DONE = (
    "✅ Đăng ký xong rồi ạ! Cháu chào {ten}, ở {commune}, {province}.\nMình bắt đầu học nhé."
)
SIGNUP_STOPPED = "Dạ, mình dừng ở đây. Khi nào tiện, {ong_ba} nhắn bất kỳ chữ gì để đăng ký tiếp ạ."
SIGNUP_CONTINUE = "Mình đăng ký tiếp nhé, chỉ còn vài bước ạ."
# The optional step at the end of sign-up (also in Trợ giúp): sex and the priority groups the
# plans name, self-declared for the association's reports; one «Bỏ qua» skips both questions.
BTN_MALE = "Nam"
BTN_FEMALE = "Nữ"
BTN_DONE = "Xong"
BTN_RATHER_NOT = "Không muốn nói"
BTN_PROFILE = "Thông tin của tôi"
BTN_EDIT_NAME = "Sửa tên"
BTN_EDIT_ADDRESS = "Sửa cách xưng hô"
BTN_EDIT_YEAR = "Sửa năm sinh"
BTN_EDIT_PLACE = "Sửa nơi ở"
PROFILE_NO_BRANCH = "chưa vào chi hội"
PROFILE_NO_REMINDER = "không nhắc"
ASK_NEW_NAME = "{Ong_ba} gõ tên mới ạ."
PLACE_CHANGED = "✅ Dạ, cháu đã sửa nơi ở: {commune}, {province}."
BIRTH_YEAR_CHECK = "{Ong_ba} sinh năm {year} phải không ạ?"
BTN_YEAR_YES = "Đúng, năm {year}"
BTN_YEAR_NO = "Không, gõ lại"
BTN_EDIT_SEX = "Sửa giới tính"
BTN_EDIT_GROUPS = "Sửa hoàn cảnh"
SEX_LABELS = {"nam": "Nam", "nu": "Nữ"}
# In the order of the numbers people type; keys are columns of `users` (migration 0050).
GROUP_CHOICES = (
    ("rural", "Sống ở nông thôn"),
    ("poor", "Thuộc hộ nghèo hoặc cận nghèo"),
    ("alone", "Sống một mình"),
    ("disabled", "Là người khuyết tật"),
)
ASK_SEX = (
    "Còn 2 câu không bắt buộc, để Hội biết cần giúp ai trước. "
    "Cháu lưu theo đúng điều {ong_ba} đã đồng ý lúc đầu.\n"
    "Giới tính của {ong_ba} ạ? Không muốn trả lời, {ong_ba} bấm «Bỏ qua» là xong đăng ký."
)
ASK_SEX_EDIT = "Giới tính của {ong_ba} ạ?"
ASK_GROUPS = (
    "Dòng nào dưới đây đúng với {ong_ba}?\n"
    "Bấm từng dòng để đánh dấu ✅, hoặc gõ các số, ví dụ: 1 3.\n"
    "Chọn xong, hoặc không có dòng nào, {ong_ba} bấm «Xong»."
)
GROUPS_MARKED = (
    "Đã đánh dấu ✅ {chosen}. {Ong_ba} bấm thêm dòng khác (bấm lại để bỏ), hoặc bấm «Xong» ạ."
)
GROUPS_MARKED_NONE = "Chưa đánh dấu dòng nào ạ. {Ong_ba} bấm dòng đúng với mình, hoặc bấm «Xong»."
GROUPS_BAD = "Cháu chỉ hiểu các số từ 1 đến {n} ạ. {Ong_ba} gõ lại, ví dụ: 1 3, hoặc bấm «Xong»."
GROUPS_NONE = "không có dòng nào trong danh sách"
GROUPS_SAVED = (
    "✅ Dạ, cháu ghi: {chosen}.\nMuốn sửa, {ong_ba} vào «Trợ giúp» → «Giới tính, hoàn cảnh»."
)
PROFILE = (
    "Đây là mọi thông tin cháu lưu về {ong_ba} (chỉ Hội Người cao tuổi ở địa phương được xem):\n"
    "• Cách xưng hô: {form}\n"
    "• Tên: {name}\n"
    "• Năm sinh: {year}\n"
    "• Nơi ở: {place}\n"
    "• Chi hội: {branch}\n"
    "• Giờ nhắc ôn bài: {reminder}\n"
    "• Giới tính: {sex}\n"
    "• Hoàn cảnh: {groups}\n"
    "• Đồng ý từ ngày: {since}\n"
    "Ngoài ra cháu lưu các câu {ong_ba} trả lời trong bài học, để biết {ong_ba} đã thạo gì.\n"
    "{Ong_ba} muốn sửa gì thì bấm nút ạ."
)
PROFILE_NOT_SAID = "chưa nói"
PROFILE_CHANGED = "✅ Dạ, cháu đã sửa rồi ạ."

# --- menu and help ---
MENU = "Mời {ong_ba} chọn ạ:"
MENU_UNTRACKED = "Mời {ong_ba} chọn ạ (cháu không lưu tiến độ):"
WELCOME_BACK = "Cháu chào {ten}! Mừng {ong_ba} quay lại ạ."
HELP = (
    "Cháu giúp {ong_ba} học dùng điện thoại, từng bài ngắn.\n"
    "• Bấm nút, hoặc gõ số thứ tự: 1, 2, 3…\n"
    "• Gõ «menu» để về trang chính, «quay lại» để lùi một bước, «dừng» để nghỉ.\n"
    "• Không giới hạn thời gian, {ong_ba} cứ từ từ ạ.\n"
    "• Học cả trên Zalo và Telegram? Nhắn «liên kết» để dùng chung tiến độ.\n"
    "Cần người giúp tận nơi, {ong_ba} hỏi Hội Người cao tuổi ở xã, phường mình."
)
HELP_SIGNUP = "Cháu đang hỏi vài điều để đăng ký. {Ong_ba} trả lời từng câu, hoặc gõ «quay lại» để sửa câu trước."
NOT_UNDERSTOOD = "Cháu chưa hiểu ý {ong_ba} ạ. {Ong_ba} bấm một nút dưới đây, hoặc gõ số thứ tự."
TOO_LONG = "Tin nhắn dài quá, cháu chưa đọc được ạ. {Ong_ba} gõ ngắn thôi, hoặc bấm nút."
STOPPED = (
    "Dạ, mình nghỉ ở đây nhé. 🔕 Cháu đã tắt tin nhắc ôn bài, sẽ không nhắn nhắc nữa. "
    "Cháu vẫn nhớ chỗ {ong_ba} đang học.\n"
    "Khi nào muốn học tiếp, {ong_ba} nhắn bất kỳ chữ gì. Muốn cháu nhắc lại thì nhắn «bắt đầu» ạ."
)
RESUMED = "Dạ, cháu sẽ nhắc {ong_ba} ôn bài lại như trước ạ."

# --- reminders and spaced review ---
BTN_REMINDER_SETTING = "Giờ nhắc ôn bài"
BTN_NO_REMINDER = "Không cần nhắc"
REMINDER_CHOICES = (
    ("07:00", "7 giờ sáng"),
    ("09:00", "9 giờ sáng"),
    ("15:00", "3 giờ chiều"),
    ("19:00", "7 giờ tối"),
)
ASK_REMINDER = (
    "Cháu nhắc {ong_ba} ôn bài mỗi ngày một lần nhé? {Ong_ba} chọn giờ, "
    "hoặc gõ giờ khác (ví dụ: 8 giờ sáng)."
)
REMINDER_BAD = "Cháu chỉ nhắc ban ngày, từ 7 giờ sáng đến 9 giờ tối ạ. {Ong_ba} chọn giờ giúp cháu."
REMINDER_SET = "✅ Dạ, mỗi ngày cháu sẽ nhắc {ong_ba} lúc {time} nếu có bài cần ôn."
REMINDER_OFF = "Dạ, cháu sẽ không nhắc ạ. Muốn đổi, {ong_ba} vào «Trợ giúp» → «Giờ nhắc ôn bài»."
REMINDER = (
    "⏰ Chào {ten}! Hôm nay có {n} câu ôn tập đang chờ {ong_ba}. Ôn vài phút cho nhớ lâu nhé."
)
BTN_REVIEW_NOW = "Ôn tập ngay"
BTN_LATER = "Để sau"
REMINDERS_PAUSED = (
    "Mấy hôm nay {ong_ba} bận nên cháu tạm dừng nhắc ạ. "
    "Khi nào muốn cháu nhắc lại, {ong_ba} nhắn «bắt đầu»."
)
ERROR = "Xin lỗi {ong_ba}, cháu vừa gặp trục trặc. {Ong_ba} gõ «menu» hoặc thử lại sau ít phút ạ."
UNKNOWN_COMMAND = "Cháu chưa biết lệnh này ạ."
ATTACHMENT = {
    "sticker": "Cảm ơn {ong_ba} ạ! Cháu chỉ đọc được chữ thôi.",
    "photo": "Cháu cảm ơn ạ! Cháu chưa xem được ảnh, chỉ đọc được chữ thôi.",
    "voice": "Cháu chưa nghe được tin nhắn thoại ạ, cháu chỉ đọc được chữ.",
    "video": "Cháu chưa xem được video ạ, cháu chỉ đọc được chữ.",
    "file": "Cháu chưa mở được tệp này ạ, cháu chỉ đọc được chữ.",
    "location": "Cháu cảm ơn ạ! Cháu không cần vị trí, {ong_ba} chỉ cần bấm nút hoặc gõ chữ.",
    "other": "Cháu chỉ đọc được chữ thôi ạ.",
}
ATTACHMENT_HINT = "{Ong_ba} bấm nút hoặc gõ số giúp cháu nhé."

# --- deleting one's data ---
DELETE_CONFIRM = (
    "{Ong_ba} muốn xóa hết thông tin và tiến độ học của mình phải không ạ? "
    "Đã xóa thì không lấy lại được."
)
DELETE_DONE = (
    "Dạ, cháu đã xóa hết thông tin của {ong_ba}. Khi nào muốn học lại, {ong_ba} nhắn cho cháu ạ."
)
DELETE_KEPT = "Dạ, cháu giữ nguyên ạ."

# --- learning ---
SUGGEST_LESSON = "Bài nên học tiếp: «{title}» ({area}), khoảng {minutes} phút."
SUGGEST_RESUME = "{Ong_ba} đang học dở bài «{title}». Mình học tiếp nhé?"
ALL_LESSONS_DONE = "{Ong_ba} đã học hết các bài rồi ạ! Mời {ong_ba} ôn tập để nhớ lâu."
CHOOSE_AREA = "{Ong_ba} muốn học chủ đề nào ạ?"
CHOOSE_LESSON = "Các bài về {area}. {Ong_ba} bấm hoặc gõ số bài muốn học."
LESSON_LOCKED = "Bài «{title}» cần học bài «{needs}» trước ạ. Mình học bài đó nhé?"
CARD = "📖 {title} ({i}/{n})\n\n{text}"
QUESTION = "❓ Câu hỏi {i}/{n}\n{text}\n\n{options}\n\n{Ong_ba} bấm nút hoặc gõ số."
PRESS_NEXT = "{Ong_ba} bấm «Tiếp» để đi tiếp ạ."
RIGHT = "✅ {feedback}"
WRONG = "❌ {feedback}\n\nĐáp án đúng là: {correct}"
NEW_MASTERY = "🌟 {Ong_ba} đã thành thạo: {name}!"
NEW_AREA = "🏅 {Ong_ba} đã thành thạo cả vùng «{area}»!"
NEW_PROFICIENT = "🎉 Chúc mừng {ten}! {Ong_ba} đã thành thạo kỹ năng số cơ bản: đủ cả bốn vùng."
LESSON_DONE = "Xong bài «{title}» rồi ạ! {Ong_ba} trả lời đúng {correct}/{total} câu."
REVIEW_START = "🔁 Ôn tập {n} câu nhé ạ."
REVIEW_EMPTY = "{Ong_ba} chưa có gì cần ôn ạ. Mời {ong_ba} học bài mới trước."
REVIEW_DONE = "Xong phần ôn tập! {Ong_ba} trả lời đúng {correct}/{total} câu."
REVIEW_UNTRACKED = "Ôn tập cần lưu tiến độ ạ. {Ong_ba} bấm «Đăng ký lưu tiến độ» nếu muốn."

# --- practice scenarios ---
PRACTICE_LIST = "Chọn một tình huống để luyện ạ. {Ong_ba} bấm hoặc gõ số."
PRACTICE_KIND = {"scam": "⚠️", "task": "📱"}
PRACTICE_NONE = "Chưa có tình huống nào để luyện ạ."
PRACTICE_INTRO = "🎭 {title}\n{intro}"
PRACTICE_STEP = "{text}\n\n{options}"
PRACTICE_UNSAFE = "⚠️ {feedback}"
PRACTICE_SIGNS = "\nDấu hiệu cần nhớ: {signs}."
PRACTICE_WELL = (
    "🌟 {Ong_ba} xử lý rất tốt: chọn an toàn {safe}/{total} lần.\nĐiều cần nhớ: {remember}"
)
PRACTICE_AGAIN = (
    "{Ong_ba} chọn an toàn {safe}/{total} lần. Không sao ạ, luyện lại là nhớ.\n"
    "Điều cần nhớ: {remember}"
)

# --- association staff ---
BTN_STAFF = "Quản lý"
BTN_ST_ANNOUNCE = "📣 Gửi thông báo"
BTN_ST_INVITE = "✉️ Mời người"
BTN_ST_MEMBERS = "👥 Thành viên, ai cần giúp"
BTN_ST_SCAM = "🔎 Tin nghi ngờ bà con gửi"
BTN_PAGE_PREV = "← Trang trước"
BTN_PAGE_NEXT = "Trang sau →"
BTN_ST_CONFIRM = "✅ Xác nhận kỹ năng"
BTN_ST_POPULATION = "🔢 Số người cao tuổi"
BTN_ST_BRANCH = "🏠 Tạo chi hội"
BTN_ST_SENT = "📬 Thông báo đã gửi"
BTN_ST_AUD_ALL = "Tất cả thành viên"
BTN_ST_NOW = "Gửi ngay"
BTN_ST_URGENT = "Gửi ngay, khẩn (cả ban đêm)"
BTN_ST_SEND = "Xác nhận gửi"
BTN_ST_EDIT = "Sửa lại"
BTN_ST_CANCEL = "Hủy"
BTN_ST_REFRESH = "Cập nhật số liệu"
BTN_ACK = "✅ Đã đọc"
ST_MENU = "Việc quản lý. {Ong_ba} chọn việc cần làm:"
ST_PICK_UNIT = "Làm cho đơn vị nào? Chọn dưới đây, hoặc gõ tên tỉnh, xã, phường hay chi hội."
ST_BROWSE_BTN = "📂 Chọn trong {unit}"
ST_BROWSE = (
    "{unit} (trang {page}/{pages}). Chọn một nơi, bấm «Xem thêm», hoặc gõ tên xã, phường, chi hội."
)
ST_BROWSE_EMPTY = "{unit} chưa có chi hội nào."
ST_BROWSE_WHOLE = "✅ Cả {unit}"
ST_BROWSE_MORE = "Xem thêm ▶"
ST_BROWSE_LESS = "◀ Trang trước"
ST_UNIT_NONE = "Không tìm thấy đơn vị nào {ong_ba} được quản lý với tên này."
ST_SCAM_HEAD = (
    "🔎 Tin nghi ngờ bà con ở {unit} gửi cho hội: {n} tin (trang {page}/{pages}), mới nhất trước. "
    "Số điện thoại, số tài khoản và tên người đã được che. {Ong_ba} có thể dùng làm ví dụ "
    "khi sinh hoạt để nhắc bà con cảnh giác."
)
ST_SCAM_ITEM = "{i}. Ngày {date} · cháu kết luận: {verdict}\n«{text}»"
ST_SCAM_VERDICT = {
    "scam": "rất có thể lừa đảo",
    "unsure": "cần cẩn thận",
    "ok": "chưa thấy dấu hiệu lừa đảo",
}
ST_SCAM_NONE = "Chưa có tin nghi ngờ nào bà con ở {unit} gửi cho hội."
ST_NOT_ALLOWED = "Xin lỗi, {ong_ba} không có quyền làm việc này ở đơn vị này."
ST_CANCELLED = "Đã hủy, chưa gửi gì."
TOPICS = {
    "chuyen_doi_so": "Chuyển đổi số",
    "chuyen_doi_xanh": "Chuyển đổi xanh",
    "khoi_nghiep": "Khởi nghiệp",
    "viec_lam": "Việc làm",
    "khac": "Khác",
}
ST_ANN_TEXT = "Thông báo gửi tới thành viên ở {unit}. {Ong_ba} gõ nội dung thông báo:"
ST_ANN_TEXT_BAD = "Nội dung cần từ 5 đến {n} ký tự. {Ong_ba} gõ lại giúp."
ST_ANN_TOPIC = "Thông báo thuộc chủ đề nào?"
ST_ANN_AUDIENCE = "Gửi cho ai?"
ST_AUD_NOT = "Chỉ người chưa thạo {area}"
ST_ANN_WHEN = "Gửi khi nào? Chọn dưới đây, hoặc gõ giờ hẹn theo giờ Việt Nam, ví dụ: 8:00 25/11."
ST_ANN_WHEN_BAD = "Giờ hẹn chưa đúng hoặc đã qua. Ví dụ đúng: 8:00 25/11 hoặc 14h30 1/12/2026."
ST_ANN_PREVIEW = (
    "👆 Xem trước thông báo.\nChủ đề: {topic}. Gửi tới {n} người, lúc {when}.{urgent}\n"
    "{reach}Ngoài giờ 21:00–07:00 mới gửi, trừ tin khẩn. {Ong_ba} xác nhận nhé?"
)
# How many recipients each channel reaches now, under the preview (chat and web).
REACH_NOW = "📶 Nhận được ngay: {channels}."
REACH_CHANNEL = "{channel} {n} người"
REACH_OA_WAITING = (
    "⏳ {n} người dùng Zalo OA sẽ nhận khi họ nhắn lại cho Hội"
    " (Zalo chỉ cho gửi trong {hours} giờ sau tin nhắn cuối của họ)."
)
REACH_OA_NO_QUOTA = (
    "⏳ {n} người dùng Zalo OA đã hết lượt tin của Zalo, sẽ nhận khi họ nhắn lại cho Hội."
)
REACH_BLOCKED = "🚫 {n} người đã chặn Học Số, sẽ không nhận được."
ST_URGENT_NOTE = " Tin khẩn: gửi cả ban đêm."
ST_ANN_SCHEDULED = "✅ Đã nhận thông báo số {n}. Xem kết quả gửi ở «📬 Thông báo đã gửi»."
# A picture, or a PDF, Word or Excel file, sent with an announcement.
BTN_ST_ADD_FILE = "📎 Thêm ảnh hoặc tệp"
BTN_ST_DROP_FILE = "Bỏ ảnh, tệp đang kèm"
ST_FILE_NAME = {"image": "ảnh", "document": "tệp"}
ST_ANN_FILE_HINT = (
    "📎 Có ảnh hoặc tệp PDF, Word, Excel thì {ong_ba} gửi luôn vào đây. "
    "Chữ ghi kèm ảnh sẽ là nội dung thông báo."
)
ST_ANN_HAS_FILE = "Đang gửi kèm một {what}. Muốn thay thì gửi ảnh hoặc tệp khác."
ST_ANN_FILE_ASK = (
    "{Ong_ba} có muốn gửi kèm ảnh hoặc tệp (PDF, Word, Excel) không? Có thì gửi luôn vào đây."
)
ST_ANN_FILE_HOW = (
    "{Ong_ba} bấm hình kẹp giấy 📎 hoặc hình bức ảnh cạnh ô gõ chữ, "
    "chọn ảnh hoặc tệp rồi gửi vào đây."
)
ST_ANN_FILE_GOT = "✅ Đã nhận {what}."
ST_ANN_FILE_NEED_TEXT = "✅ Đã nhận {what}. {Ong_ba} gõ nội dung thông báo đi kèm:"
ST_ANN_FILE_DROPPED = "Đã bỏ ảnh, tệp đang kèm."
ST_ANN_FILE_TOO_BIG = (
    "Xin lỗi, tệp này lớn quá. Chỉ gửi kèm được ảnh hoặc tệp dưới {mb} MB. "
    "{Ong_ba} gửi tệp nhỏ hơn giúp."
)
ST_ANN_FILE_UNSUPPORTED = (
    "Xin lỗi, chỉ gửi kèm được ảnh, hoặc tệp PDF, Word, Excel. {Ong_ba} gửi tệp khác giúp."
)
ST_ANN_FILE_FAILED = "Xin lỗi, chưa nhận được ảnh hoặc tệp này. {Ong_ba} gửi lại giúp."
ANNOUNCEMENT = "📣 Thông báo của Hội Người cao tuổi, {unit}:\n\n{text}"
ACK_THANKS = "Cảm ơn {ong_ba} đã đọc thông báo ạ."
INVITE_KINDS = {
    "member": "thành viên chi hội",
    "staff": "cán bộ hội",
    "leader": "lãnh đạo",
    "admin": "quản trị",
}
ST_INVITE_KIND = "Mời người làm gì ở {unit}?"
ST_INVITE_NONE = "Ở đơn vị này {ong_ba} chưa mời được ai. Mời thành viên thì chọn một chi hội."
ST_INVITE_CODE = (
    "✉️ Mã mời làm {kind} ở {unit}: {code}\n"
    "Người được mời đăng ký với Học Số, rồi nhắn mã này cho Học Số. Mã dùng một lần, trong 14 ngày."
)
# A code given before or during sign-up is kept, applied at the end, and confirmed in words.
INVITE_KEPT_CONSENT = (
    "Cháu đã giữ mã {code} của {ong_ba}. {Ong_ba} đồng ý và đăng ký xong (vài bước ngắn),"
    " cháu sẽ ghi {ong_ba} vào {unit} ngay ạ."
)
INVITE_KEPT_SIGNUP = (
    "Cháu đã giữ mã {code}: đăng ký xong, cháu ghi {ong_ba} vào {unit} ạ. Mình đăng ký tiếp nhé."
)
INVITE_PLACE_FROM_CODE = "Mã {code} là của {unit}, nên cháu không hỏi tỉnh, xã nữa ạ."
INVITE_ALREADY = "Dạ, {ong_ba} đã ở {unit} rồi ạ."
INVITE_JOINED_BRANCH = (
    "✅ Dạ, cháu đã ghi {ong_ba} vào {unit}. Cán bộ chi hội sẽ thấy {ong_ba} học đến đâu"
    " để giúp khi cần ạ."
)
INVITE_KEPT_LOST = (
    "Mã {code} {ong_ba} nhắn lúc đăng ký đã hết hạn hoặc đủ người rồi ạ."
    " {Ong_ba} hỏi cán bộ chi hội mã mới giúp cháu."
)
INVITE_BAD = (
    "Mã mời này chưa đúng, đã dùng rồi hoặc hết hạn ạ. {Ong_ba} hỏi lại người mời giúp cháu."
)
INVITE_TOO_MANY = (
    "{Ong_ba} nhập sai mã mời nhiều lần quá. {Ong_ba} chờ một tiếng rồi thử lại giúp cháu ạ."
)
INVITE_OK = "✅ Dạ, {ong_ba} đã là {kind} ở {unit}."
# A class code: one printed sheet with a big QR code for a whole class.
INVITE_CLASS_KIND = "🧾 Mã lớp học (nhiều người)"
ST_CLASS_CODE = (
    "🧾 Mã lớp học của {unit}: {code}\n"
    "Dùng được cho {cap} người, đến hết ngày {until}. Tờ giấy A4 in kèm (ảnh và PDF) có mã QR:"
    " người học quét mã, hoặc nhắn «{code}» cho Học Số, lúc nào cũng được, kể cả khi đang"
    " đăng ký.\nLiên kết: {link}"
)
SHEET_TITLE = "Tham gia lớp học Học Số"
SHEET_UNIT = "{unit}"
SHEET_SCAN = "Quét mã QR bằng điện thoại"
SHEET_OR_TYPE = "hoặc nhắn cho Học Số mã:"
SHEET_STEPS = (
    "1. Mở camera hoặc Zalo, quét mã QR ở trên.",
    "2. Bấm «Bắt đầu», rồi bấm «Đồng ý».",
    "3. Trả lời vài câu hỏi ngắn. Xong là vào lớp.",
)
SHEET_UNTIL = "Mã dùng được đến hết ngày {until}."
SHEET_ZALO = "Trên Zalo: {link}"
ST_CLASS_CAP = "Mã lớp học dùng cho bao nhiêu người? (mã dùng được 30 ngày, đóng lúc nào cũng được)"
ST_CLASS_CAP_BTN = "Tối đa {n} người"
BTN_ST_CLASS = "🏫 Lớp học hôm nay"
ST_CLASS_NONE = (
    "{unit} chưa có mã lớp học nào đang mở. {Ong_ba} vào «Mời người» → «Mã lớp học» để tạo."
)
ST_CLASS_HEAD = "🏫 Lớp học ở {unit}"
ST_CLASS_CODES = "Mã đang mở: {codes}"
ST_CLASS_CODE_LINE = "{code} ({uses}/{cap} người)"
ST_CLASS_JOINED = "✅ Vào lớp trong một giờ qua ({n}): {names}"
ST_CLASS_JOINED_NONE = "Chưa ai vào lớp trong một giờ qua."
ST_CLASS_STUCK = "⚠️ Đang dừng lâu ({n}):\n{lines}"
ST_CLASS_STUCK_LINE = "• {name}: {where}, {minutes} phút chưa nhắn"
ST_CLASS_STUCK_NONE = "Không ai đang bị dừng lâu."
ST_CLASS_SIGNING = "✍️ Đang đăng ký ({n}): {names}"
ST_CLASS_NO_NAME = "người chưa ghi tên"
BTN_ST_CLASS_REFRESH = "🔄 Xem lại"
BTN_ST_CLASS_CLOSE = "🔒 Đóng mã {code}"
ST_CLASS_CLOSED = "🔒 Đã đóng mã {code}: từ giờ không ai dùng được mã này nữa."
#: Where a person stands, for the class screen (by the start of the screen's name).
WHERE = {
    "consent": "chưa bấm «Đồng ý»",
    "onboard.address": "đăng ký, câu hỏi cách xưng hô",
    "onboard.name": "đăng ký, câu hỏi tên",
    "onboard.birth_year": "đăng ký, câu hỏi năm sinh",
    "onboard.province": "đăng ký, câu hỏi tỉnh",
    "onboard.commune": "đăng ký, câu hỏi xã",
    "onboard.reminder": "đăng ký, câu hỏi giờ nhắc",
    "onboard.sex": "đăng ký, câu hỏi giới tính",
    "onboard.groups": "đăng ký, câu hỏi nhóm ưu tiên",
    "lesson": "đang học bài",
    "quiz": "đang trả lời câu hỏi",
    "review": "đang ôn tập",
    "practice": "đang luyện tình huống",
    "menu": "ở trang chính",
    "help": "ở mục trợ giúp",
}
WHERE_OTHER = "ở giữa một bước"
WHERE_LESSON = "bài «{title}»"
ST_MEMBERS_HEAD = "👥 {unit}: {n} thành viên, {p} người đã thạo kỹ năng số cơ bản."
ST_NEEDS_HELP = "• Cần giúp về {area}: {names}"
ST_MORE = " và {n} người khác"
ST_NO_MEMBERS = "Đơn vị này chưa có thành viên nào đăng ký."
ST_CONFIRM_WHO = "Xác nhận kỹ năng cho ai? (bấm tên)"
ST_CONFIRM_AREA = "Người đó đã làm được việc gì trong buổi học?"
ST_CONFIRMED = "✅ Đã ghi nhận: làm được «{area}»."
ST_POPULATION = "Số người cao tuổi (từ 60 tuổi) ở {unit}.{current} {Ong_ba} gõ con số:"
ST_POPULATION_NOW = " Hiện ghi: {n}."
ST_POPULATION_BAD = "{Ong_ba} gõ một con số, ví dụ: 1250."
ST_POPULATION_SET = "✅ Đã ghi: {unit} có {n} người cao tuổi."
ST_BRANCH_NAME = "Tạo chi hội mới ở {unit}. {Ong_ba} gõ tên chi hội, ví dụ: Xóm Đồng Tâm."
ST_BRANCH_BAD = "Tên chi hội từ 2 đến 60 chữ, ví dụ: Xóm Đồng Tâm."
ST_BRANCH_EXISTS = "Xã này đã có chi hội tên như vậy."
BTN_ST_RENAME = "✏️ Sửa tên chi hội"
ST_RENAME_ASK = "Tên mới cho {unit}? {Ong_ba} gõ tên, ví dụ: Xóm Đồng Tâm."
ST_RENAMED = "✅ Đã sửa tên: {unit}."
ST_BRANCH_DONE = "✅ Đã tạo chi hội {name}. Mã mời thành viên vào chi hội: {code}"
ST_SENT_NONE = "{Ong_ba} chưa gửi thông báo nào."
ST_SENT_HEAD = "📬 Thông báo gần đây:"
ST_SENT_LINE = (
    "Số {id} ({topic}, {when}, {status}): «{text}»\n"
    "Gửi tới {n}: đã gửi {sent}, đang chờ {waiting}, lỗi {failed}, đã chặn bot {blocked}; "
    "đã đọc {acks}."
)
ANN_STATUS = {"scheduled": "chờ đến giờ", "queued": "đang gửi", "cancelled": "đã hủy"}

# --- progress ---
PROGRESS_HEAD = "📊 Tiến độ của {ten}:"
PROGRESS_AREA = "{name}: {bar} {done}/{total} kỹ năng"
PROGRESS_AREA_DONE = "{name}: {bar} ✅ thành thạo"
PROGRESS_AREA_EMPTY = "{name}: chưa có bài cho nơi {ong_ba} ở"
PROGRESS_PROFICIENT = "🎉 {Ong_ba} đã thành thạo kỹ năng số cơ bản!"
PROGRESS_NEXT = "Nên học tiếp: «{title}»."
PROGRESS_NEXT_REVIEW = "Nên ôn tập thêm: {name}."
PROGRESS_UNTRACKED = (
    "Cháu không lưu tiến độ vì {ong_ba} chưa đồng ý. Bấm «Đăng ký lưu tiến độ» nếu muốn ạ."
)
BAR_FULL = "🟩"
BAR_EMPTY = "⬜"

# --- command line (operators and staff) ---
CLI_CONTENT_OK = "✅ Nội dung hợp lệ."
CLI_CONTENT_ERRORS = "❌ Có {n} lỗi trong nội dung:"
CLI_NO_CHANNEL = (
    "Chưa cấu hình kênh nào nên bot chưa chạy.\n"
    "• Telegram: đặt biến HOCSO_TELEGRAM_TOKEN (và HOCSO_TELEGRAM_BASE_URL nếu dùng máy chủ riêng).\n"
    "• Zalo: đặt biến HOCSO_ZALO_BOT_TOKEN.\n"
    "• Zalo OA: đặt HOCSO_ZALO_OA_APP_ID và các biến trong docs/zalo-oa.md.\n"
    "Muốn thử ngay trên máy này: python -m bot chat"
)
CLI_CHAT_INTRO = "Học Số — trò chuyện trên máy tính. Gõ số để bấm nút. Thoát: Ctrl+D."
CLI_BAD_JSON = "dòng {n} không phải JSON hợp lệ: {error}"
CLI_BAD_INPUT = "dòng {n}: {error}"

# --- channels ---
# Telegram's command menu (the "Menu" button beside the text box) and the text box hint.
TG_COMMANDS = {"start": "Bắt đầu", "menu": "Về trang chính", "help": "Trợ giúp"}
TG_INPUT_HINT = "Bấm nút hoặc gõ chữ…"
# Said by a channel before the core knows the person, so with the default address form.
EDITED_MESSAGE = (
    "Cháu chỉ đọc được tin nhắn mới thôi ạ. Muốn sửa, {ong_ba} gửi lại một tin nhắn mới nhé."
)
GROUP_PRIVATE_ONLY = (
    "Cháu chỉ dạy học khi nhắn riêng ạ. Mời các bác bấm nút dưới đây để nhắn riêng cho cháu."
)
GROUP_PRIVATE_ONLY_ZALO = "Cháu chỉ dạy học khi nhắn riêng ạ. Mời các bác nhắn riêng cho cháu."
BTN_OPEN_PRIVATE = "Nhắn riêng cho cháu"
# Zalo has no buttons: choices are a numbered list answered by number or by text.
ZALO_CHOOSE_HINT = "👉 Gõ số để chọn (ví dụ: 1), hoặc gõ chữ."
ZALO_OA_CHOOSE_HINT = "👉 Bấm nút bên dưới, hoặc gõ số để chọn (ví dụ: 1)."
CLI_ZALO_OA_MISSING = "Kênh Zalo OA còn thiếu biến môi trường: {names}. Xem docs/zalo-oa.md."
CLI_ZALO_OA_BAD_KEY = (
    "HOCSO_ZALO_OA_TOKEN_KEY không phải khóa Fernet hợp lệ. Tạo khóa mới bằng lệnh:\n"
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
# Linking one person's Zalo and Telegram.
LINK_OTHER = {"telegram": "Zalo", "zalo": "Telegram"}
LINK_OTHER_ANY = "Zalo hoặc Telegram"
LINK_CODE = (
    "🔗 Mã liên kết của {ong_ba}: {code}\n"
    "Trên {other}, {ong_ba} nhắn cho cháu: liên kết {code}\n"
    "Mã chỉ dùng một lần, trong {minutes} phút ạ."
)
LINK_HOW = (
    "Nếu {ong_ba} đã học với cháu trên Zalo hoặc Telegram, {ong_ba} nhắn «liên kết» ở đó "
    "để lấy mã, rồi nhắn «liên kết» và mã vào đây ạ."
)
LINK_DONE = (
    "✅ Liên kết xong rồi ạ! Từ nay {ong_ba} học trên Zalo hay Telegram đều chung một tiến độ."
)
LINK_BAD_CODE = (
    "Mã này chưa đúng hoặc đã hết hạn ạ. {Ong_ba} nhắn «liên kết» ở ứng dụng kia để lấy mã mới."
)
LINK_SAME_CHANNEL = "Mã này để nhắn trên {other} ạ, không phải ở đây."
LINK_ALREADY = "Hai tài khoản này đã liên kết với nhau rồi ạ."
LINK_TOO_MANY = (
    "{Ong_ba} nhập sai mã nhiều lần quá. {Ong_ba} chờ một tiếng rồi thử lại giúp cháu ạ."
)
# Operators starting `python -m bot run`.
CLI_WEBHOOK_NO_SECRET = "Chế độ webhook của {channel} cần khóa bí mật: đặt biến {var} (8–256 ký tự, chỉ chữ, số, _ và -)."
CLI_WEBHOOK_SAME_PATH = "Hai kênh không được dùng chung đường dẫn webhook: {path}"
CLI_CHANNEL_FAILED = "Không khởi động được kênh {channel}: {error}"
# --- delivery ---
# Why a bulk message did not reach someone: shown to staff beside an announcement's counts
# (storage.outbox.failures groups by these, so keep them free of per-person details).
DELIVERY_BLOCKED = "Người nhận đã chặn bot"
DELIVERY_NETWORK = "Lỗi kết nối tới {channel}, đã thử {n} lần không được"
DELIVERY_REJECTED = "{channel} không nhận tin nhắn này ({detail})"
DELIVERY_NO_CHANNEL = "Bot không chạy kênh {channel} nên không gửi được"
DELIVERY_EMPTY = "Tin nhắn trống, không có gì để gửi"
DELIVERY_BAD_PAYLOAD = "Nội dung tin nhắn trong hàng đợi bị hỏng"
# Zalo OA: outside the free window a message waits for the person instead of being dropped.
DELIVERY_WAITING = "Chờ người nhận nhắn lại (Zalo OA chỉ cho gửi miễn phí sau khi họ nhắn tin)"
DELIVERY_NO_QUOTA = "Hết hạn mức tin nhắn của Zalo OA, chờ người nhận nhắn lại"
# --- reports (leaders, admins; files sent up the chain) ---
REPORT_AREAS = {
    "dich_vu_cong": "Dịch vụ công trực tuyến",
    "thanh_toan": "Thanh toán trực tuyến",
    "mua_sam": "Mua sắm trực tuyến",
    "an_toan": "Tự bảo vệ trên không gian mạng",
    "dia_phuong": "Nền tảng số của địa phương",
}
REPORT_AREAS_SHORT = {
    "dich_vu_cong": "Dịch vụ công",
    "thanh_toan": "Thanh toán",
    "mua_sam": "Mua sắm",
    "an_toan": "Tự bảo vệ",
    "dia_phuong": "Nền tảng địa phương",
}
REPORT_PROFICIENT = "Thành thạo kỹ năng số cơ bản (cả 4 kỹ năng)"
REPORT_PROFICIENT_SHORT = "Thành thạo cả 4 kỹ năng"
REPORT_INFORMED = "Được tuyên truyền về {topic}"
REPORT_INDICATORS = {
    "trees": "Cây xanh được trồng",
    "waste_models": "Mô hình phân loại rác tại nguồn",
    "green_farms": "Mô hình sản xuất hữu cơ, tuần hoàn",
    "elders_startup": "Người cao tuổi được hỗ trợ khởi nghiệp",
    "startup_models": "Mô hình khởi nghiệp",
    "jobs": "Người có việc làm từ các mô hình",
}
REPORT_SEX = {"nam": "Nam", "nu": "Nữ", "khong_noi": "Không khai"}
REPORT_AGE = {
    "60_69": "60–69 tuổi",
    "70_79": "70–79 tuổi",
    "80+": "Từ 80 tuổi",
    "khong_ro": "Không rõ",
}
REPORT_GROUPS = {
    "nong_thon": "Ở nông thôn",
    "ngheo": "Hộ nghèo, cận nghèo",
    "mot_minh": "Sống một mình",
    "khuyet_tat": "Người khuyết tật",
}
REPORT_NO_BRANCH = "Chưa vào chi hội"
UNIT_UNKNOWN = "đơn vị không còn"
REPORT_HIDDEN = "<5"
REPORT_NONE = "—"
REPORT_TITLE = "Báo cáo kết quả thực hiện Quyết định 379/QĐ-TTg: {unit}"
REPORT_AS_OF = "Số liệu đến hết ngày {date}"
REPORT_L_RESIDENTS = "Người cao tuổi trên địa bàn"
REPORT_L_REGISTERED = "Người cao tuổi đăng ký học (tỉ lệ trên người cao tuổi)"
REPORT_L_ACTIVE = "Có học trong 30 ngày qua"
REPORT_L_HELPERS = "Người dưới 60 tuổi tham gia giúp đỡ (tính riêng)"
REPORT_RES_FROM_SUBS = " (cộng từ các đơn vị trực thuộc đã nhập)"
REPORT_TRACK_OK = "đúng tiến độ"
REPORT_TRACK_BEHIND = "chậm tiến độ"
REPORT_NOTE_FIRST = (
    "Đây là báo cáo đầu tiên của đơn vị: số liệu hôm nay là mốc, các báo cáo sau so tiến độ "
    "với đường thẳng từ mốc này tới mục tiêu."
)
REPORT_NOTE_NO_RESIDENTS = (
    "Chưa nhập số người cao tuổi của đơn vị nên chưa tính được tỉ lệ và tiến độ so với mục tiêu."
)
REPORT_TARGET_CELL = "{year}: {target}"
REPORT_SHEET_SUMMARY = "Tổng hợp"
REPORT_SHEET_SUBUNITS = "Đơn vị trực thuộc"
REPORT_SHEET_TREND = "Theo tháng"
REPORT_SHEET_GROUPS = "Theo nhóm"
REPORT_SHEET_OTHER = "Chỉ tiêu khác"
REPORT_HEAD_MAIN = [
    "Chỉ tiêu",
    "Số người",
    "% người đăng ký học",
    "% người cao tuổi",
    "Mục tiêu 2030",
    "Mục tiêu 2035",
]
REPORT_HEAD_SUBUNITS = [
    "Hạng",
    "Đơn vị",
    "Người cao tuổi",
    "Đăng ký học",
    "Thành thạo cả 4 kỹ năng",
    "% người đăng ký",
    "% người cao tuổi",
]
REPORT_HEAD_TREND = ["Tháng", "Đăng ký học", "Thành thạo cả 4 kỹ năng"]
REPORT_HEAD_GROUPS = ["Chia theo", "Nhóm", "Đăng ký học", "Thành thạo cả 4 kỹ năng", "Tỉ lệ"]
REPORT_DIMS = {"sex": "Giới tính", "age": "Độ tuổi", "groups": "Nhóm ưu tiên"}
REPORT_NO_BREAKDOWN_PAST = (
    "Số liệu chia theo nhóm chỉ có cho ngày hiện tại. Xem báo cáo đến hôm nay để có phần này."
)
REPORT_HEAD_OTHER = ["Chỉ tiêu", "Cộng dồn", "Mục tiêu", "Năm", "% mục tiêu"]
REPORT_OTHER_TARGET = "{target} (năm {year}), đạt {share}"
REPORT_SUPPRESSED_NOTE = (
    "Ghi chú: nhóm dưới {n} người không ghi số (ký hiệu «<5») để không lộ thông tin cá nhân."
)
REPORT_ISSUER = "Hội Người cao tuổi {unit}"
REPORT_NUMBER = "Số:      /BC-HNCT"
REPORT_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
REPORT_MOTTO = "Độc lập - Tự do - Hạnh phúc"
REPORT_PLACE_DEFAULT = "……"
REPORT_PLACE_DATE = "{place}, ngày {d:02d} tháng {m:02d} năm {y}"
REPORT_DOC_KIND = "BÁO CÁO"
REPORT_DOC_TITLE = (
    "Kết quả người cao tuổi tham gia chuyển đổi số theo Quyết định 379/QĐ-TTg\n{unit}"
)
REPORT_DOC_BASIS = (
    "Thực hiện Quyết định số 379/QĐ-TTg ngày 20/02/2025 của Thủ tướng Chính phủ phê duyệt Đề án "
    "«Người cao tuổi tham gia đẩy mạnh chuyển đổi số, chuyển đổi xanh, khởi nghiệp và tạo việc "
    "làm», Hội Người cao tuổi báo cáo kết quả như sau:"
)
REPORT_DOC_PART1 = "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"
REPORT_DOC_HEAD = [
    "Chỉ tiêu",
    "Số người",
    "% người đăng ký học",
    "% người cao tuổi",
    "So với mục tiêu",
]
REPORT_DOC_PART_SUB = "Kết quả theo đơn vị trực thuộc (xếp theo tỉ lệ thành thạo)"
REPORT_DOC_SUB_HEAD = ["TT", "Đơn vị", "Đăng ký học", "Thành thạo", "% người cao tuổi"]
REPORT_DOC_SUB_MORE = "Còn {n} đơn vị khác: xem tệp Excel kèm theo."
REPORT_DOC_PART_OTHER = "Các chỉ tiêu chuyển đổi xanh, khởi nghiệp, việc làm (cộng dồn)"
REPORT_DOC_OTHER_HEAD = ["Chỉ tiêu", "Cộng dồn", "Mục tiêu"]
REPORT_DOC_PART2 = "II. ĐÁNH GIÁ CHUNG"
REPORT_DOC_PART3 = "III. ĐỀ XUẤT, KIẾN NGHỊ"
REPORT_RECIPIENTS = "Nơi nhận:"
REPORT_RECIPIENT_LINES = ["- Hội Người cao tuổi cấp trên;", "- Lưu: VT."]
REPORT_SIGN_FOR = "TM. BAN CHẤP HÀNH"
REPORT_SIGN_TITLE = "CHỦ TỊCH"
REPORT_SIGN_HINT = "(Ký, ghi rõ họ tên, đóng dấu)"
REPORT_CHART_TITLE = "{unit}: tỉ lệ trên {basis}, đến ngày {date}"
REPORT_CHART_BASIS_RES = "người cao tuổi"
REPORT_CHART_BASIS_REG = "người đăng ký học (chưa nhập số người cao tuổi)"
REPORT_CHART_SKILLS = "Kỹ năng số cơ bản"
REPORT_CHART_INFORMED = "Được tuyên truyền"
REPORT_CHART_TARGET = "mục tiêu {year}: {target}%"
CLI_BAD_UNIT = (
    "Không có đơn vị «{unit}». Viết tên (như «Phú Thịnh», «Trường Vinh», tên chi hội) "
    "hoặc mã: all, province:19, commune:5800, branch:3."
)
CLI_UNIT_WHICH = "Có {n} đơn vị tên «{unit}». Chọn một và chạy lại với mã của nó:"
CLI_UNIT_MORE = "  … và {n} đơn vị khác: viết tên rõ hơn."
CLI_UNIT_HELP = "tên đơn vị (Phú Thịnh, Trường Vinh) hoặc mã: all, province:19, commune:5800"
CLI_REPORT_FUTURE = "Ngày báo cáo chưa tới. Chọn hôm nay hoặc một ngày đã qua."
CLI_REPORT_WRITTEN = "Đã ghi báo cáo: {path}"
CLI_ADMIN_DONE = "Đã lưu."
CLI_HEALTH_OK = "✅ Hoạt động bình thường: cơ sở dữ liệu trả lời."
CLI_HEALTH_DOWN = "❌ Không ổn: {what} không trả lời."
CLI_HEALTH_DB = "cơ sở dữ liệu"
CLI_NEGATIVE = "Số phải từ 0 trở lên."
CLI_PERCENT = "Tỉ lệ phần trăm phải từ 0 đến 100."
CLI_DB_COPY_NOT_PG = "--to phải là địa chỉ PostgreSQL, ví dụ postgresql://hocso@localhost/hocso"
CLI_DB_COPY_NO_SOURCE = "Không có tệp cơ sở dữ liệu {path}."
CLI_DB_COPY_NOT_EMPTY = (
    "Không chép: cơ sở dữ liệu đích đã có dữ liệu (bảng {tables}). "
    "Hãy chép vào một cơ sở dữ liệu PostgreSQL mới, còn trống."
)
CLI_DB_COPY_SCHEMA = (
    "Không chép: cơ sở dữ liệu đích thiếu {tables}. Hãy cập nhật phần mềm rồi thử lại."
)
CLI_DB_COPY_MISMATCH = (
    "Không chép: sau khi chép, {what} không khớp. Đã hủy, cơ sở dữ liệu đích vẫn trống."
)
CLI_DB_COPY_FAILED = "Không chép được: {error}. Cơ sở dữ liệu đích vẫn trống."
CLI_DB_COPY_ROW = "  {table:<24} {rows:>10} dòng"
CLI_DB_COPY_DONE = (
    "✅ Đã chép {rows} dòng của {tables} bảng. Số dòng từng bảng và báo cáo của {reports} "
    "đơn vị ({units}) trước và sau khi chép khớp nhau."
)
# Reports in chat.
BTN_REPORT = "📊 Báo cáo"
BTN_ST_INDICATOR = "🌱 Nhập chỉ tiêu khác"
RP_SUMMARY = (
    "📊 {unit}, đến ngày {date}:\n"
    "• Người cao tuổi trên địa bàn: {residents}\n"
    "• Đăng ký học: {registered} người ({registered_share})\n"
    "• Thành thạo cả 4 kỹ năng số: {proficient} ({proficient_share}); mục tiêu {year}: {target}{verdict}\n"
    "• Được tuyên truyền về chuyển đổi số: {informed} ({informed_share})\n"
    "• Có học trong 30 ngày qua: {active}\n"
    "Tỉ lệ tính trên số người cao tuổi. Chi tiết trong ảnh và tệp Excel."
)
RP_NEXT = "{Ong_ba} cần gì thêm?"
RP_BTN_WORD = "📄 Báo cáo Word để ký"
RP_BTN_SUBS = "🔎 Xem đơn vị trực thuộc"
RP_BTN_SUBSCRIBE = "🔔 Nhận báo cáo định kỳ"
RP_BTN_UNSUBSCRIBE = "🔕 Thôi nhận báo cáo định kỳ"
RP_WORD = "Báo cáo theo mẫu văn bản hành chính. {Ong_ba} in ra, ghi phần đánh giá, ký và gửi."
RP_PICK_SUB = "Xem đơn vị nào? (xếp theo tỉ lệ thành thạo, cao trước)"
RP_SUBSCRIBE_ASK = "{Ong_ba} muốn nhận báo cáo bao lâu một lần?"
RP_BTN_MONTHLY = "Hằng tháng"
RP_BTN_QUARTERLY = "Hằng quý"
RP_PERIODS = {"month": "hằng tháng", "quarter": "hằng quý"}
RP_SUBSCRIBED = "✅ Đã đăng ký nhận báo cáo {period}. Lần đầu: 8 giờ sáng ngày {date}."
RP_UNSUBSCRIBED = "Đã thôi gửi báo cáo định kỳ của đơn vị này."
RP_PERIODIC = "📬 Báo cáo {period} của Học Số (kèm ảnh, tệp Excel và tệp Word để ký)."
RP_IND_PICK = "Chỉ tiêu khác ở {unit} (cộng dồn):\n{lines}\n\n{Ong_ba} nhập thêm cho chỉ tiêu nào?"
RP_IND_LINE = "• {name}: {total}"
RP_IND_ASK = (
    "«{name}»: {ong_ba} gõ số mới đạt được, có thể kèm ghi chú. Ví dụ: 120 trồng ở thôn Đông"
)
RP_IND_BAD = "Cần một số ở đầu, ví dụ: 120 trồng ở thôn Đông. {Ong_ba} gõ lại giúp."
RP_IND_SAVED = "✅ Đã ghi thêm {value} cho «{name}»."

# --- «Cháu xem giúp tin này»: the scam checker (bot/core/scamcheck.py, bot/scamcheck/) ---
BTN_SCAM_CHECK = "🔎 Kiểm tra tin nghi ngờ"
BTN_SCAM_YES = "Có, kiểm tra giúp"
BTN_SCAM_NO = "Không cần"
BTN_SCAM_AGAIN = "Kiểm tra tin khác"
BTN_SCAM_SHARE = "Gửi Hội làm ví dụ"
BTN_SCAM_SHARE_YES = "Đồng ý gửi"
BTN_SCAM_SHARE_NO = "Không gửi"
BTN_SCAM_LESSON = "Học bài: {title}"
SCAM_ASK = (
    "🔎 {Ong_ba} gửi cho cháu tin nhắn nghi ngờ nhé: dán hoặc chuyển tiếp tin vào đây, "
    "hoặc gửi ảnh chụp màn hình, ảnh mã QR.\n"
    "Cháu xem xong là quên ngay, không lưu lại tin của {ong_ba}."
)
SCAM_TOO_SHORT = (
    "Tin này ngắn quá, cháu chưa xem được ạ. {Ong_ba} dán cả tin nhắn, "
    "hoặc gửi ảnh chụp màn hình giúp cháu nhé."
)
SCAM_OFFER = "Cháu kiểm tra tin này giúp {ong_ba} nhé?"
SCAM_OFFER_DROPPED = "Dạ vâng ạ."
SCAM_PHOTO_AGAIN = (
    "Dạ, {Ong_ba} gửi lại ảnh đó cho cháu nhé (ảnh chụp màn hình tin nhắn, hoặc ảnh mã QR). "
    "Cháu đọc xong là xóa ngay."
)
SCAM_HEAD = {
    "scam": "⚠️ Tin này RẤT CÓ THỂ LÀ LỪA ĐẢO.",
    "unsure": "⚠️ Tin này CẦN CẨN THẬN: cháu thấy có điều đáng ngờ nhưng chưa chắc chắn.",
    "ok": (
        "Cháu CHƯA THẤY DẤU HIỆU LỪA ĐẢO trong tin này. Nhưng như thế chưa chắc tin là thật: "
        "kẻ gian ngày càng khéo."
    ),
}
SCAM_UNREADABLE = (
    "⚠️ Cháu chưa đọc được chữ hay mã QR nào trong ảnh này, nên cháu CHƯA NÓI ĐƯỢC tin thật hay giả."
)
SCAM_OCR_MISSING = (
    "⚠️ Máy của cháu chưa đọc được chữ trong ảnh, nên cháu CHƯA NÓI ĐƯỢC tin thật hay giả. "
    "{Ong_ba} dán chữ trong tin vào đây giúp cháu nhé."
)
#: said when the message reads as a warning against scams (police, bank, school advice)
SCAM_ADVICE = (
    "Tin này giống một LỜI CẢNH BÁO phòng lừa đảo (của công an, ngân hàng, nhà trường…): "
    "cháu không thấy tin đòi {ong_ba} làm gì. Lời khuyên trong đó là đúng: không đưa mã OTP, "
    "không chuyển tiền cho người lạ. Nhưng nếu tin bảo bấm link hay gọi một số lạ, "
    "{ong_ba} đừng làm theo."
)
SCAM_SIGNS_TITLE = "Dấu hiệu cháu thấy:"
SCAM_SIGNS = {
    "otp": "đòi mã OTP, mật khẩu hoặc số thẻ",
    "transfer": "đòi chuyển tiền, nộp phí hoặc đặt cọc",
    "urgent": "giục gấp, hẹn giờ",
    "locked": "dọa khóa tài khoản, khóa thẻ, khóa SIM",
    "threat": "dọa bắt, dọa phạt, nói dính vào vụ án",
    "authority": "tự xưng công an, tòa án, thuế, bảo hiểm xã hội, điện lực hay ngân hàng",
    "update_data": "bảo cập nhật, xác thực thông tin hay sinh trắc học qua tin nhắn",
    "prize": "báo trúng thưởng, tặng quà, hoàn tiền, hỗ trợ",
    "job": "mời việc nhẹ lương cao, làm nhiệm vụ ăn hoa hồng",
    "invest": "mời đầu tư hứa lãi cao",
    "debt": "đòi nợ, dọa bêu ảnh, mời vay nhanh",
    "voice": "báo có «lời nhắn thoại» kèm đường link",
    "app": "bảo cài ứng dụng qua đường link (tệp .apk)",
    "family": "báo người thân gặp nạn, cần tiền gấp",
    "secret": "dặn giữ bí mật, không được nói với ai",
    "call_number": "bảo gọi hay kết bạn Zalo với một số lạ",
    "click": "bảo bấm vào đường link",
    "odd_login": "báo đăng nhập lạ, giao dịch lạ để dụ bấm vào",
    "fee_cancel": "báo bị trừ phí, bảo bấm vào để hủy",
    "parcel": "báo đơn hàng bị giữ, chưa giao, đòi phí hay cập nhật",
    "borrow": "hỏi vay, hỏi mượn tiền hay nhờ chuyển tiền qua tin nhắn",
    "borrow_back": "người quen nhắn hỏi mượn tiền, hẹn trả ngay hay nói bận không nghe máy "
    "(tài khoản của người quen có thể đã bị kẻ gian chiếm)",
    "topup": "mời nạp thẻ được nhân nhiều lần giá trị (nhà mạng không có khuyến mãi như vậy)",
    "fine": "báo phạt nguội, phạt vi phạm giao thông qua tin nhắn",
    "wrong_transfer": "nói đã chuyển nhầm tiền và xin chuyển trả (hãy nhờ ngân hàng trả lại, "
    "không chuyển theo lời người nhắn)",
    "extort": "dọa tung ảnh, video để đòi tiền",
    "hostage": "dọa hại người thân, cấm báo công an",
    "charity": "xin giúp đỡ, kêu gọi ủng hộ kèm số tài khoản",
    "premium": "bảo nhắn tin tới đầu số thu phí cao (6x, 7x, 8x, 1900)",
    "romance": "người lạ ở nước ngoài làm quen (sĩ quan, bác sĩ…): sau đó sẽ đòi tiền hay phí nhận quà",
    "cure": "quảng cáo thuốc hay sản phẩm «chữa khỏi hẳn» bệnh (tiểu đường, xương khớp, dạ dày…)",
    "wording": "cách viết giống những tin lừa đảo cháu đã biết (cháu chưa thấy dấu hiệu nào rõ hơn)",
    "id_video": "đòi quay video hay chụp ảnh mặt cùng căn cước (kẻ gian dùng ảnh đó để vay "
    "tiền, mở tài khoản dưới tên người khác)",
    "recover": "hứa lấy lại tiền đã bị lừa (đó thường là lừa lần thứ hai)",
    "link_pretext": "lấy cớ giao hàng, nộp phạt hay hoàn tiền để bảo bấm vào đường link lạ",
    "fee_pretext": "báo gói hàng bị giữ, đòi nộp phí trước mới giao",
    "link_blocked": "đường link nằm trong danh sách trang lừa đảo",
    "link_brand": "đường link mượn tên ngân hàng, cơ quan nhưng không phải trang thật",
    "link_lookalike": "đường link viết gần giống tên trang thật",
    "link_homoglyph": "đường link dùng chữ giả trông giống chữ thật",
    "link_ip": "đường link chỉ là một dãy số, không có tên trang",
    "link_risky_tld": "đường link có đuôi lạ (.top, .xyz, .vip...) hay bị kẻ gian dùng",
    "link_short": "đường link rút gọn, không biết dẫn tới đâu",
    "link_unknown": "đường link tới một trang cháu không biết",
    "apk": "đường link tải tệp cài đặt .apk",
    "qr_bad_crc": "mã QR bị sai, có thể là mã đã bị sửa",
    "qr_unknown_bank": "mã QR chuyển tới ngân hàng cháu không biết",
}
SCAM_OFFICIAL = "Đường link dẫn tới trang thật của: {names}."
SCAM_SOCIAL = (
    "Đường link dẫn tới {names}. Ở đó ai cũng lập được tài khoản, "
    "nên đường link này không cho biết ai đã gửi tin."
)
SCAM_QR = (
    "💳 Mã QR này là lệnh chuyển tiền tới:\n"
    "Ngân hàng: {bank}\nSố tài khoản: {account}{amount}{message}\n"
    "Trước khi bấm xác nhận, {ong_ba} xem thật kỹ TÊN NGƯỜI NHẬN hiện trong ứng dụng ngân hàng. "
    "Tên lạ thì dừng lại ngay."
)
SCAM_QR_AMOUNT = "\nSố tiền: {amount} đồng"
SCAM_QR_MESSAGE = "\nNội dung: {message}"
SCAM_QR_UNKNOWN_BANK = "mã {bin} (cháu không biết ngân hàng này)"
SCAM_QR_TEXT = "Mã QR chứa: {text}"
SCAM_TODO = {
    "scam": (
        "Việc nên làm ngay:\n"
        "1. Không bấm vào đường link, không gọi lại số trong tin.\n"
        "2. Không đọc mã OTP, không chuyển tiền cho ai.\n"
        "3. Muốn hỏi ngân hàng, gọi số tổng đài in trên thẻ ngân hàng của {ong_ba}.\n"
        "4. Báo lừa đảo: gọi 156, hoặc nhắn «LD số-điện-thoại nội-dung» gửi 156."
    ),
    "unsure": (
        "Khi chưa chắc, {ong_ba} đừng bấm link, đừng chuyển tiền vội:\n"
        "1. Hỏi con cháu, hoặc gọi tổng đài ngân hàng theo số in trên thẻ.\n"
        "2. Gọi 156 để hỏi; kiểm tra một trang web: nhắn «TCTM tên-trang» gửi 156."
    ),
    "ok": (
        "Nếu tin đòi mã OTP, đòi chuyển tiền hay bảo bấm link, {ong_ba} vẫn dừng lại "
        "và hỏi con cháu, hoặc gọi tổng đài ngân hàng theo số in trên thẻ, hoặc gọi 156."
    ),
}
SCAM_FORGOTTEN = "Cháu không lưu tin này."
SCAM_SHARE_ASK = (
    "Cháu gửi tin này cho cán bộ Hội Người cao tuổi làm ví dụ để nhắc mọi người nhé? "
    "Cháu đã che số điện thoại, số tài khoản và tên người:\n\n«{masked}»\n\n"
    "Cháu không gửi tên hay số của {ong_ba}."
)
SCAM_SHARED = "Cháu gửi rồi ạ. Cảm ơn {ong_ba} đã giúp mọi người tránh bị lừa!"
SCAM_NOT_SHARED = "Dạ, cháu không gửi, và đã quên tin này rồi ạ."
SCAM_SHARE_GONE = "Tin đó cháu đã quên rồi ạ, nên không gửi được."
CLI_SCAM_NEED = "mỗi dòng cần «text» (chữ) hoặc «image» (đường dẫn tuyệt đối tới ảnh)"
CLI_SCAM_NO_IMAGE = "không mở được ảnh {path}"
CLI_SCAM_MODEL_BUILT = "Đã huấn luyện lại mô hình kiểm tra tin, lưu ở {path} ({size} KB)."
CLI_SCAM_BLOCKLIST = "Đã lưu {n} tên miền vào danh sách chặn: {path}"
CLI_SCAM_BLOCKLIST_EMPTY = "Tệp {path} không có tên miền nào."
# --- the web pages for leaders and staff (bot/web/); page words are in its templates ---
BTN_ST_WEB = "🌐 Mở trang quản lý"
WEB_LINK = (
    "🌐 Đường dẫn vào trang quản lý, dùng được một lần trong {minutes} phút, chỉ cho riêng "
    "{ong_ba}:\n{url}\n\n{Ong_ba} mở bằng trình duyệt trên máy tính hoặc điện thoại. "
    "Xin đừng chuyển đường dẫn này cho người khác."
)
WEB_LINK_INVALID = {
    "used": "Đường dẫn này đã được dùng rồi. Anh chị bấm «🌐 Mở trang quản lý» trong trò chuyện để lấy đường dẫn mới.",
    "expired": "Đường dẫn này đã hết hạn (chỉ dùng được trong 10 phút). Anh chị bấm «🌐 Mở trang quản lý» trong trò chuyện để lấy đường dẫn mới.",
    "unknown": "Đường dẫn này không đúng. Anh chị bấm «🌐 Mở trang quản lý» trong trò chuyện để lấy đường dẫn mới.",
    "no_role": "Anh chị không còn vai trò quản lý nào, nên không vào được trang này.",
}
WEB_SESSION_ENDED = "Phiên làm việc đã kết thúc. Anh chị lấy đường dẫn mới trong trò chuyện."
WEB_FORBIDDEN = "Anh chị không có quyền xem trang này."
WEB_NOT_FOUND = "Không tìm thấy trang này."
WEB_FORM_TOO_BIG = "Nội dung gửi lên dài quá. Anh chị tải lại trang rồi làm lại."
WEB_BAD_FORM = "Biểu mẫu đã cũ hoặc không hợp lệ. Anh chị tải lại trang rồi làm lại."
WEB_SAVED = "✅ Đã lưu."
WEB_BAD_NUMBER = "Cần một số không âm. Anh chị nhập lại giúp."
WEB_BAD_PERCENT = "Tỉ lệ phải từ 0 đến 100. Anh chị nhập lại giúp."
WEB_BAD_DATE = "Ngày không hợp lệ. Anh chị chọn lại giúp."
WEB_CLASS_CREATED = (
    "✅ Đã tạo mã lớp học {code}, dùng được cho {cap} người. Anh chị tải tờ giấy A4 có mã QR"
    " ở dưới để in."
)
WEB_ROLE_LINE = "{name}: {role} ở {unit}"
WEB_ROLE_REMOVED = "✅ Đã bỏ vai trò — {what}. Người này đã được đăng xuất khỏi trang quản lý."
WEB_ROLE_GONE = "Vai trò này không còn, hoặc không thuộc đơn vị anh chị quản lý."
WEB_ROLE_NOT_SELF = (
    "Anh chị không tự bỏ vai trò của mình ở đây được. Xin nhờ một người quản trị khác."
)
WEB_ANN_SCHEDULED = "✅ Đã xếp lịch gửi thông báo lúc {when}."
WEB_ANN_EMPTY = "Anh chị cần viết nội dung thông báo (tối đa {n} ký tự)."
WEB_DELIVERY = {
    "sent": "đã gửi",
    "pending": "đang chờ gửi",
    "sending": "đang gửi",
    "waiting": "chờ người nhận hoặc gửi lại",
    "blocked": "đã chặn bot",
    "failed": "không gửi được",
}
WEB_CHANNELS = {
    "telegram": "Telegram",
    "zalo": "Zalo",
    "zalo_oa": "Zalo OA",
    "sim": "Thử nghiệm",
    "other": "Kênh khác",
}
WEB_ANN_STATUS = {
    "scheduled": "chờ đến giờ gửi",
    "queued": "đã đưa vào hàng gửi",
    "cancelled": "đã hủy",
}
WEB_INDICATOR_NAMES = {"proficient": "Thành thạo kỹ năng số", "informed": "Được tuyên truyền"}
WEB_LOGGED_OUT = (
    "Anh chị đã đăng xuất. Khi cần vào lại, bấm «🌐 Mở trang quản lý» trong trò chuyện."
)
WEB_ROLES = {"admin": "Quản trị", "leader": "Lãnh đạo", "staff": "Cán bộ"}
CLI_WEB_FAILED = "Không mở được trang quản lý: {error}"
CLI_WEB_PAGES = "Trang quản lý trên web: {url}"
WEB_AUDIT_SYSTEM = "hệ thống"

# --- understanding: stopping, thanks, free questions, long lists (bot/core/understand.py) ---
ASK_STOP = "{Ong_ba} muốn dừng nhận tin nhắc phải không ạ?"
BTN_STOP_YES = "Có, dừng nhắc"
BTN_STOP_NO = "Không, làm tiếp"
STOP_KEPT = "Dạ, cháu vẫn nhắc {ong_ba} ôn bài lúc {time} mỗi ngày như cũ. Mình làm tiếp nhé."
STOP_KEPT_NO_TIME = "Dạ, mình làm tiếp nhé."
STOP_KEPT_PAUSED = (
    "Dạ, mình làm tiếp nhé. Tin nhắc ôn bài vẫn đang tắt; muốn bật lại, {ong_ba} nhắn «bắt đầu»."
)
MENU_PAUSED_NOTE = "🔕 Tin nhắc ôn bài đang tắt. Muốn cháu nhắc lại, {ong_ba} nhắn «bắt đầu» ạ."
THANKS_REPLY = "Dạ, không có gì ạ! Cháu vui vì giúp được {ong_ba} 😊"
ASK_FOUND_ONE = "Cháu nghĩ bài này giúp được {ong_ba}: «{title}». {Ong_ba} bấm để học nhé."
ASK_FOUND_MANY = "Cháu tìm được mấy bài gần với câu {ong_ba} hỏi. {Ong_ba} muốn xem bài {which} ạ?"
OR = "hay"
BTN_MORE_ITEMS = "Xem thêm"
CHOOSE_LESSON_PAGE = "Các bài về {area} (bài {first}–{last} trong {total} bài). {Ong_ba} bấm hoặc gõ số bài muốn học."
PRACTICE_LIST_PAGE = (
    "Chọn một tình huống để luyện ạ (tình huống {first}–{last} trong {total}). "
    "{Ong_ba} bấm hoặc gõ số."
)
PLACE_ONE = "Cháu tìm thấy: {name}. Đúng không ạ? {Ong_ba} bấm tên, hoặc gõ «đúng». Không phải thì gõ lại tên ạ."
