"""How much Casework accepts, in one place: the longest text of each kind (every form field and every API field
takes its maximum from here, or from its database column), and the largest request.

A text field longer than its maximum is refused with "<Field> must be 20,000 characters or fewer" (a page's field
error, or the API's 422 naming the field). Nothing is cut short without saying so."""

from __future__ import annotations

# One line: a subject, a referrer's organisation, who did a health assessment, a search. Fields stored in a column
# of their own take the column's length instead (a name: 100, a postcode: 8...).
LINE = 200
# A code from a list (a referral source, a legal status, a decision): the longest code is far shorter; longer is
# refused before the list is even read.
CODE = 40
# Why something was done or decided: a reason, a manager's comments, who attended, a review's summary.
REASON = 2_000
# What a worker writes at length: a case note, a visit's notes, a contact's concern, an assessment's summary. About
# eight pages of typed text; the longest note in the demo authority is under 3,000 characters.
NOTE = 20_000
# A text field of a page form that names no maximum of its own.
DEFAULT = REASON

# The largest request body, in bytes (settings.DATA_UPLOAD_MAX_MEMORY_SIZE): a form or JSON body of a NOTE (up to 4
# bytes a character in UTF-8, escaped in JSON) and its other fields fits well. Larger is answered 413.
REQUEST_BYTES = 512 * 1024
# The most fields a form or query string may carry (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS).
REQUEST_FIELDS = 1_000

# Documents (issue 14): the largest file a worker may upload, and the most files at once. A scanned report of a
# hundred pages at 300 dpi in black and white is under 20 MB; a phone's photograph under 10 MB.
DOCUMENT_BYTES = 50 * 1024 * 1024
DOCUMENT_FILES = 20
# A request carrying files (multipart/form-data) may be as large as its files: Django streams them to disk, and the
# form's other fields are still held to REQUEST_BYTES by Django itself (core.middleware.RequestSizeMiddleware).
UPLOAD_REQUEST_BYTES = DOCUMENT_BYTES * DOCUMENT_FILES + REQUEST_BYTES
